// A file deployment (houston's): an app config with `files` and `reload` and no `application`.
// Files are written with their bytes and mode on the first deploy and when they change; `reload`
// runs after a change only.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanUpAfterEach } from '../../fixtures/daemon/cleanup.js';
import { startDaemon } from '../../fixtures/daemon/daemonProcess.js';
import { addApp, makeWorkspace } from '../../fixtures/daemon/workspace.js';
import { pushCommit } from '../../fixtures/git/testRepo.js';
import { waitFor } from '../../fixtures/git/waitFor.js';
import { writeAppConfigWith } from '../../fixtures/release/appConfig.js';

cleanUpAfterEach();

async function lines(file: string): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

async function modeOf(file: string): Promise<number> {
  return (await stat(file)).mode & 0o7777;
}

describe('file deployment', () => {
  it('writes the files with their bytes and mode, and reloads only when they change', async () => {
    const ws = await makeWorkspace();
    const etc = join(ws.root, 'etc', 'proxy');
    const envFile = join(etc, 'proxy.env');
    const confFile = join(etc, 'proxy.conf');
    const reloads = join(ws.root, 'reloads.log');
    const proxy = await addApp(ws, 'proxy', {
      files: { 'deploy/proxy.conf': 'upstream a 127.0.0.1:8001;\n', README: 'proxy configs\n' },
      config: { application: null, health: null },
      write: false,
    });
    await writeAppConfigWith(proxy, {
      files: [
        // Expanded from the daemon's environment when the config is loaded.
        { path: envFile, content: 'TOKEN=${PROXY_TOKEN}\nMODE=strict\n', mode: '0600' },
        { path: confFile, source: 'deploy/proxy.conf', mode: '0640' },
      ],
      reload: `echo "reload $HUDDLE_COMMIT" >> '${reloads}'`,
    });
    const daemon = await startDaemon(ws, { env: { PROXY_TOKEN: 's3cret-token' } });

    const first = proxy.remote.head;
    const deployed = await daemon.waitForApp('proxy', (a) => a.state === 'healthy' && a.commit === first, `healthy on ${first.slice(0, 7)}`);
    expect(deployed.pid).toBeNull();
    expect(deployed.error).toBeNull();
    expect(await readFile(envFile, 'utf8')).toBe('TOKEN=s3cret-token\nMODE=strict\n');
    expect(await modeOf(envFile)).toBe(0o600);
    expect(await readFile(confFile, 'utf8')).toBe('upstream a 127.0.0.1:8001;\n');
    expect(await modeOf(confFile)).toBe(0o640);
    expect(await lines(reloads)).toEqual([`reload ${first}`]);
    // No credential in the daemon's log, even in the line that lists the files written.
    expect(daemon.lines.some((l) => JSON.stringify(l).includes('s3cret-token'))).toBe(false);

    const changed = await pushCommit(proxy.remote, { 'deploy/proxy.conf': 'upstream a 127.0.0.1:8002;\n' }, 'move upstream');
    await daemon.waitForApp('proxy', (a) => a.state === 'healthy' && a.commit === changed, `healthy on ${changed.slice(0, 7)}`);
    expect(await readFile(confFile, 'utf8')).toBe('upstream a 127.0.0.1:8002;\n');
    expect(await modeOf(confFile)).toBe(0o640);
    expect(await readFile(envFile, 'utf8')).toBe('TOKEN=s3cret-token\nMODE=strict\n');
    expect(await lines(reloads)).toEqual([`reload ${first}`, `reload ${changed}`]);
    const written = daemon.logs((l) => l.app === 'proxy' && l.event === 'files');
    expect(written.map((l) => l.message)).toEqual([`files written: ${envFile}, ${confFile}`, `files written: ${confFile}`]);

    const unrelated = await pushCommit(proxy.remote, { README: 'proxy configs, documented\n' }, 'docs only');
    const status = await daemon.waitForApp('proxy', (a) => a.state === 'healthy' && a.commit === unrelated, `healthy on ${unrelated.slice(0, 7)}`);
    expect(status.error).toBeNull();
    expect(status.health).toBe('none');
    expect(await lines(reloads)).toEqual([`reload ${first}`, `reload ${changed}`]);
    expect(daemon.logs((l) => l.app === 'proxy' && l.event === 'files')).toHaveLength(2);
    expect(await readFile(confFile, 'utf8')).toBe('upstream a 127.0.0.1:8002;\n');
  });

  it('a config edit that keeps the commit places the files it lists, as does a daemon started after one', async () => {
    const ws = await makeWorkspace();
    const envFile = join(ws.root, 'etc', 'app.env');
    const reloads = join(ws.root, 'reloads.log');
    const proxy = await addApp(ws, 'proxy', { config: { application: null, health: null }, write: false });
    const withMode = (mode: string, extra: Record<string, unknown>[] = []) => writeAppConfigWith(proxy, {
      files: [{ path: envFile, content: `MODE=${mode}\n` }, ...extra],
      reload: `echo "reload $HUDDLE_COMMIT" >> '${reloads}'`,
    });
    await withMode('alpha');
    const first = proxy.remote.head;
    let daemon = await startDaemon(ws);
    await daemon.waitForApp('proxy', (a) => a.state === 'healthy' && a.commit === first, 'healthy');
    expect(await readFile(envFile, 'utf8')).toBe('MODE=alpha\n');

    await withMode('beta');
    await waitFor(async () => (await lines(envFile))[0] === 'MODE=beta', { timeoutMs: 10_000, what: 'the edited content to be placed' });
    await waitFor(async () => (await lines(reloads)).length === 2, { timeoutMs: 10_000, what: 'the reload after the edit' });
    expect((await daemon.waitForApp('proxy', (a) => a.state === 'healthy', 'healthy')).commit).toBe(first);

    // A bad entry (its source is not in the checkout): the status names it, nothing is written.
    await withMode('gamma', [{ path: join(ws.root, 'etc', 'x.conf'), source: 'deploy/missing.conf' }]);
    const failed = await daemon.waitForApp('proxy', (a) => /files not placed: files\[1\]/.test(a.error ?? ''), 'the bad entry reported');
    expect(failed.error).toMatch(/missing\.conf/);
    expect(await readFile(envFile, 'utf8')).toBe('MODE=beta\n');
    // The commit that adds the source still deploys, and its update places every entry.
    const added = await pushCommit(proxy.remote, { 'deploy/missing.conf': 'found\n' }, 'add the source');
    await daemon.waitForApp('proxy', (a) => a.state === 'healthy' && a.commit === added && a.error === null, 'healthy on the commit with the source');
    expect(await readFile(join(ws.root, 'etc', 'x.conf'), 'utf8')).toBe('found\n');
    expect(await readFile(envFile, 'utf8')).toBe('MODE=gamma\n');
    await writeAppConfigWith(proxy, {
      files: [{ path: envFile, content: 'MODE=beta\n' }],
      reload: `echo "reload $HUDDLE_COMMIT" >> '${reloads}'`,
    });
    await waitFor(async () => (await lines(envFile))[0] === 'MODE=beta', { timeoutMs: 10_000, what: 'the entry list back to one' });
    // The reload runs once the files are written: waited for before the daemon stops.
    await waitFor(async () => (await lines(reloads)).length === 4, { timeoutMs: 10_000, what: 'the reload after that edit' });

    await daemon.stop();
    await withMode('delta');
    daemon = await startDaemon(ws);
    await waitFor(async () => (await lines(envFile))[0] === 'MODE=delta', { timeoutMs: 10_000, what: 'the content edited while the daemon was down' });
    await waitFor(async () => (await lines(reloads)).length === 5, { timeoutMs: 10_000, what: 'the reload after it' });
    expect(await lines(reloads)).toEqual([`reload ${first}`, `reload ${first}`, `reload ${added}`, `reload ${added}`, `reload ${added}`]);
  });
});

