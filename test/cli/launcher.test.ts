import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../fixtures/git/tempDirs.js';

// bin/huddle, the command npm installs: it finds the built CLI through any symlink and starts the
// socket-only commands without NODE_EXTRA_CA_CERTS (Node 20 parses that file at every start).

const LAUNCHER = fileURLToPath(new URL('../../bin/huddle', import.meta.url));
// What the launcher execs: its own directory, then up to the package's dist.
const MAIN = `${dirname(LAUNCHER)}/../dist/src/cli/main.js`;

afterEach(removeTempDirs);

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A `node` first on PATH that prints what it was given: the variable, then its arguments. */
async function recordingNode(): Promise<string> {
  const dir = await makeTempDir('huddle-launcher-');
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'node'), '#!/bin/sh\nprintf "%s|" "${NODE_EXTRA_CA_CERTS-unset}" "$@"\n');
  chmodSync(join(bin, 'node'), 0o755);
  return bin;
}

const envWith = (bin: string): NodeJS.ProcessEnv => ({ PATH: `${bin}:/usr/bin:/bin`, NODE_EXTRA_CA_CERTS: '/etc/proxy-ca.pem' });

describe('bin/huddle', () => {
  it('starts the socket-only commands without NODE_EXTRA_CA_CERTS', async () => {
    const bin = await recordingNode();
    for (const args of [['poll', 'web'], ['deploy', 'web', 'v2'], ['status', '--json'], ['logs', 'web', '-f'], ['restart', 'web'], ['stop', 'web'], ['start', 'web']]) {
      const out = await run(LAUNCHER, args, envWith(bin));
      expect(out.stdout, args.join(' ')).toBe(`unset|${[MAIN, ...args].join('|')}|`);
    }
  });

  it('keeps it for every other command (the daemon and the fleet may talk TLS to etcd)', async () => {
    const bin = await recordingNode();
    for (const args of [['run'], ['fleet', 'status'], ['validate', 'x.json'], ['--help'], [], ['--state-dir', '/s', 'poll', 'web']]) {
      const out = await run(LAUNCHER, args, envWith(bin));
      expect(out.stdout.split('|')[0], args.join(' ')).toBe('/etc/proxy-ca.pem');
    }
  });

  it('finds the built CLI through a symlink, as npm installs it, and runs it with the node on PATH', async () => {
    const dir = await makeTempDir('huddle-launcher-');
    const link = join(dir, 'huddle');
    symlinkSync(LAUNCHER, link);
    // A file Node could not read would be reported on stderr: the exact stderr shows it was not given.
    const out = await run(link, ['poll', 'web', '--state-dir', dir], { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, NODE_EXTRA_CA_CERTS: '/nonexistent.pem' });
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(`huddle daemon is not running (no socket at ${join(dir, 'huddle.sock')})\n`);
  });
});
