import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fleetOptionsOf } from '../../src/cli/etcdFlags.js';

const dir = mkdtempSync(join(tmpdir(), 'huddle-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('etcd flags', () => {
  it('endpoints from --etcd, else HUDDLE_ETCD; none at all means no fleet', () => {
    expect(fleetOptionsOf({ etcd: 'http://a:2379, http://b:2379' }, {})).toEqual({ etcd: ['http://a:2379', 'http://b:2379'] });
    expect(fleetOptionsOf({}, { HUDDLE_ETCD: 'http://c:2379' })).toEqual({ etcd: ['http://c:2379'] });
    expect(fleetOptionsOf({}, {})).toEqual({});
  });

  it('TLS and a client certificate pair', () => {
    const options = fleetOptionsOf({ etcd: 'https://a:2379', etcdCa: '/ca.pem', etcdCert: '/c.pem', etcdKey: '/c.key' }, {});
    expect(options.etcdTls).toEqual({ ca: '/ca.pem', cert: '/c.pem', key: '/c.key' });
    expect(() => fleetOptionsOf({ etcd: 'https://a', etcdCert: '/c.pem' }, {})).toThrow('--etcd-cert needs --etcd-key');
    expect(() => fleetOptionsOf({ etcd: 'https://a', etcdKey: '/c.key' }, {})).toThrow('--etcd-key needs --etcd-cert');
  });

  it('the password comes from a file or the environment, never from a flag value', () => {
    const file = join(dir, 'pw');
    writeFileSync(file, 'from-file\n');
    expect(fleetOptionsOf({ etcd: 'http://a', etcdUser: 'u', etcdPasswordFile: file }, {}).etcdAuth).toEqual({ username: 'u', password: 'from-file' });
    expect(fleetOptionsOf({ etcd: 'http://a', etcdUser: 'u' }, { HUDDLE_ETCD_PASSWORD: 'from-env' }).etcdAuth?.password).toBe('from-env');
    expect(() => fleetOptionsOf({ etcd: 'http://a', etcdUser: 'u' }, {})).toThrow(/needs a password: set HUDDLE_ETCD_PASSWORD/);
    expect(() => fleetOptionsOf({ etcd: 'http://a', etcdUser: 'u', etcdPasswordFile: join(dir, 'missing') }, {})).toThrow(/--etcd-password-file: cannot read/);
    expect(() => fleetOptionsOf({ etcd: 'http://a', etcdPasswordFile: file }, {})).toThrow('--etcd-password-file needs --etcd-user');
  });

  it('lease TTL in whole seconds, and fleet options without endpoints are refused', () => {
    expect(fleetOptionsOf({ etcd: 'http://a', etcdLeaseTtl: '3' }, {}).etcdLeaseTtl).toBe(3);
    for (const bad of ['0', '1.5', 'ten', '3601']) {
      expect(() => fleetOptionsOf({ etcd: 'http://a', etcdLeaseTtl: bad }, {})).toThrow(/--etcd-lease-ttl: expected whole seconds/);
    }
    expect(() => fleetOptionsOf({ nodeId: 'n1' }, {})).toThrow('etcd options given without endpoints');
  });
});
