// A real cluster's connection options: user and password (etcd auth), and TLS with a client
// certificate. The password never appears in huddle's output.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEtcdClient } from '../../src/fleet/etcdClient.js';
import { runCli } from '../fixtures/daemon/cli.js';
import { cleanUpAfterEach } from '../fixtures/daemon/cleanup.js';
import { startDaemon } from '../fixtures/daemon/daemonProcess.js';
import { addApp, makeWorkspace, type Workspace } from '../fixtures/daemon/workspace.js';
import { makeTestPki, type TestPki } from '../fixtures/etcd/certs.js';
import { startEtcd, type EtcdServer } from '../fixtures/etcd/etcdServer.js';
import { describeWithEtcd, useEtcd } from '../fixtures/etcd/gate.js';
import { makeTempDir } from '../fixtures/git/tempDirs.js';
import { waitFor } from '../fixtures/git/waitFor.js';

cleanUpAfterEach();

const PASSWORD = 's3cret-etcd-pw';

/** Waits until `fleet status --json` (with `args`) lists node-a healthy. */
async function waitListed(ws: Workspace, args: string[], env: Record<string, string> = {}): Promise<void> {
  await waitFor(async () => {
    const out = await runCli(ws, ['fleet', 'status', '--json', ...args], 20_000, env);
    const nodes = out.code === 0 ? (JSON.parse(out.stdout) as { nodes: Array<{ node: string; state: string }> }).nodes : [];
    return nodes.some((n) => n.node === 'node-a' && n.state === 'healthy');
  }, { timeoutMs: 15_000, intervalMs: 200, what: 'node-a healthy in fleet status' });
}

describeWithEtcd('etcd with authentication', () => {
  const etcd = useEtcd();

  it('daemon and CLI log in as a user; a missing or wrong password is a clear error, never printed', async () => {
    const admin = createEtcdClient({ endpoints: [etcd().endpoint], nodeId: 'admin' });
    try {
      await admin.role('root').create();
      await admin.user('root').create('root-pw');
      await admin.user('root').addRole('root');
      const role = await admin.role('huddle').create();
      await role.grant({ permission: 'Readwrite', range: admin.range({ prefix: 'huddle/' }) });
      await admin.user('huddle').create(PASSWORD);
      await admin.user('huddle').addRole('huddle');
      await admin.auth.authEnable();
    } finally {
      admin.close();
    }

    const ws = await makeWorkspace();
    await addApp(ws, 'web');
    const endpoint = ['--etcd', etcd().endpoint];
    const daemon = await startDaemon(ws, {
      args: [...endpoint, '--node-id', 'node-a', '--etcd-user', 'huddle'],
      env: { HUDDLE_ETCD_PASSWORD: PASSWORD },
    });
    await daemon.waitHealthy('web');
    await waitListed(ws, [...endpoint, '--etcd-user', 'huddle'], { HUDDLE_ETCD_PASSWORD: PASSWORD });

    const missing = await runCli(ws, ['fleet', 'status', ...endpoint, '--etcd-user', 'huddle']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('huddle fleet status: --etcd-user needs a password: set HUDDLE_ETCD_PASSWORD or use --etcd-password-file');
    const wrong = await runCli(ws, ['fleet', 'status', ...endpoint, '--etcd-user', 'huddle'], 20_000, { HUDDLE_ETCD_PASSWORD: 'nope' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^huddle fleet status: .*(authentication failed|invalid user ID or password)/i);
    const anonymous = await runCli(ws, ['fleet', 'status', ...endpoint]);
    expect(anonymous.code).toBe(1);
    expect(daemon.output()).toContain('auth as huddle');
    expect(daemon.output()).not.toContain(PASSWORD);
  }, 60_000);
});

describeWithEtcd('etcd over TLS with client certificates', () => {
  let pki: TestPki;
  let etcd: EtcdServer;
  beforeAll(async () => {
    pki = makeTestPki(await makeTempDir('huddle-pki-'));
    etcd = await startEtcd({ tls: { cert: pki.server.cert, key: pki.server.key, ca: pki.ca, clientCertAuth: true, client: pki.client } });
  });
  afterAll(async () => {
    await etcd?.dispose();
  });

  it('daemon and CLI connect with --etcd-ca/--etcd-cert/--etcd-key; without the certificate they cannot', async () => {
    const ws = await makeWorkspace();
    await addApp(ws, 'web');
    const tls = ['--etcd', etcd.endpoint, '--etcd-ca', pki.ca, '--etcd-cert', pki.client.cert, '--etcd-key', pki.client.key];
    const daemon = await startDaemon(ws, { args: [...tls, '--node-id', 'node-a'] });
    await daemon.waitHealthy('web');
    await waitListed(ws, tls);
    expect(daemon.output()).toContain('(tls)');

    const noCert = await runCli(ws, ['fleet', 'status', '--etcd', etcd.endpoint, '--etcd-ca', pki.ca]);
    expect(noCert.code).toBe(1);
    expect(noCert.stderr).toMatch(/^huddle fleet status: /);
    const halfPair = await runCli(ws, ['fleet', 'status', '--etcd', etcd.endpoint, '--etcd-cert', pki.client.cert]);
    expect(halfPair.stderr.trim()).toBe('huddle fleet status: --etcd-cert needs --etcd-key');
  }, 60_000);
});
