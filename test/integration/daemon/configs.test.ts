import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pidAlive } from '../../fixtures/apps/processes.js';
import { cleanUpAfterEach } from '../../fixtures/daemon/cleanup.js';
import { startDaemon } from '../../fixtures/daemon/daemonProcess.js';
import { answerOf, refuses, waitForVersion } from '../../fixtures/daemon/http.js';
import { appProcesses } from '../../fixtures/daemon/processes.js';
import { addApp, addSharingApp, makeWorkspace, mergeConfig, removeAppConfig, writeAppConfig, writeRawConfig } from '../../fixtures/daemon/workspace.js';
import { waitFor } from '../../fixtures/git/waitFor.js';
import { pushCommit } from '../../fixtures/git/testRepo.js';
import { checkoutHead } from '../../fixtures/daemon/checkout.js';

cleanUpAfterEach();

describe('huddle run: the config directory', () => {
  it('a bad config file beside good ones: the good ones run, the logs name the bad file and key', async () => {
    const ws = await makeWorkspace();
    const good = await addApp(ws, 'good');
    const other = await addApp(ws, 'other');
    const badFile = join(ws.configDir, 'bad.json');
    const bad = mergeConfig(good.config, { timing: { minimum: 'soon' } });
    await writeRawConfig(badFile, JSON.stringify(bad));
    await writeRawConfig(join(ws.configDir, 'broken.json'), '{ "repository": ');
    const daemon = await startDaemon(ws);

    await daemon.waitHealthy('good', good.remote.head);
    await daemon.waitHealthy('other', other.remote.head);
    await waitForVersion(good.url, '1');
    expect((await daemon.status()).apps.map((a) => a.name).sort()).toEqual(['good', 'other']);

    const errors = daemon.logs((l) => l.level === 'error' && l.event === 'config');
    const aboutBad = errors.find((l) => String(l.file).endsWith('bad.json'));
    expect(aboutBad, JSON.stringify(errors)).toBeDefined();
    expect(aboutBad!.message).toMatch(/bad\.json/);
    expect(aboutBad!.message).toMatch(/timing/);
    expect(aboutBad!.message).toMatch(/minimum/);
    const aboutBroken = errors.find((l) => String(l.file).endsWith('broken.json'));
    expect(aboutBroken, JSON.stringify(errors)).toBeDefined();
    expect(aboutBroken!.message).toMatch(/broken\.json/);
  });

  it('config added at runtime: that app starts, the others are left alone', async () => {
    const ws = await makeWorkspace();
    const a = await addApp(ws, 'alpha', { kind: 'probe' });
    const c = await addApp(ws, 'gamma', { kind: 'probe', env: { GREETING: 'hello' }, write: false });
    const daemon = await startDaemon(ws);
    const alpha = await daemon.waitHealthy('alpha', a.remote.head);
    expect(await daemon.app('gamma')).toBeUndefined();

    await writeAppConfig(c);
    const gamma = await daemon.waitHealthy('gamma', c.remote.head);
    expect(await answerOf(c.url)).toContain('greeting hello');
    expect(appProcesses(ws.marker, 'gamma')).toEqual([gamma.pid]);
    expect((await daemon.waitHealthy('alpha')).pid).toBe(alpha.pid);
  });

  it('config changed at runtime: that app alone restarts, with the new config', async () => {
    const ws = await makeWorkspace();
    const a = await addApp(ws, 'alpha', { kind: 'probe', env: { GREETING: 'hello' } });
    const b = await addApp(ws, 'beta', { kind: 'probe', env: { GREETING: 'hello' } });
    const daemon = await startDaemon(ws);
    const alpha = await daemon.waitHealthy('alpha', a.remote.head);
    const beta = await daemon.waitHealthy('beta', b.remote.head);
    expect(await answerOf(b.url)).toContain('greeting hello');

    await writeAppConfig(b, mergeConfig(b.config, { application: { env: { PORT: String(b.port), GREETING: 'bonjour' } } }));
    await daemon.waitForLog((l) => l.app === 'beta' && l.event === 'config' && /changed/.test(String(l.message)), 'beta config changed');
    await waitFor(async () => (await answerOf(b.url))?.includes('greeting bonjour'), { timeoutMs: 10_000, what: 'beta to answer with the new GREETING' });
    const betaAfter = await daemon.waitHealthy('beta', b.remote.head);
    expect(betaAfter.pid).not.toBe(beta.pid);
    expect(pidAlive(beta.pid!)).toBe(false);
    expect(await answerOf(b.url)).toContain(`pid ${betaAfter.pid}`);
    expect(appProcesses(ws.marker, 'beta')).toEqual([betaAfter.pid]);
    expect((await daemon.waitHealthy('alpha')).pid).toBe(alpha.pid);
    expect(await answerOf(a.url)).toContain('greeting hello');
  });

  it('config removed at runtime: that app stops, the others are left alone', async () => {
    const ws = await makeWorkspace();
    const a = await addApp(ws, 'alpha', { kind: 'probe' });
    const c = await addApp(ws, 'gamma', { kind: 'probe' });
    const daemon = await startDaemon(ws);
    const alpha = await daemon.waitHealthy('alpha', a.remote.head);
    const gamma = await daemon.waitHealthy('gamma', c.remote.head);

    await removeAppConfig(c);
    await waitFor(async () => (await daemon.app('gamma')) === undefined, { timeoutMs: 10_000, what: 'gamma to leave the status' });
    await waitFor(() => !pidAlive(gamma.pid!), { timeoutMs: 5000, what: 'gamma to stop' });
    expect(await refuses(c.url)).toBe(true);
    expect(appProcesses(ws.marker, 'gamma')).toEqual([]);
    expect((await daemon.waitHealthy('alpha')).pid).toBe(alpha.pid);
    expect(appProcesses(ws.marker)).toEqual([alpha.pid]);
  });

  it('a config that turns bad at runtime: the app keeps running on its last valid config', async () => {
    const ws = await makeWorkspace();
    const a = await addApp(ws, 'alpha', { kind: 'probe' });
    const daemon = await startDaemon(ws);
    const alpha = await daemon.waitHealthy('alpha', a.remote.head);

    await writeAppConfig(a, mergeConfig(a.config, { timing: { minimum: 'soon' } }));
    await daemon.waitForLog((l) => l.app === 'alpha' && l.event === 'config' && /invalid/.test(String(l.message)), 'alpha kept on its last valid config');
    const error = daemon.logs((l) => l.level === 'error' && l.event === 'config' && String(l.file).endsWith('alpha.json'));
    expect(error.length).toBeGreaterThan(0);
    expect(error[0]!.message).toMatch(/minimum/);
    expect((await daemon.waitHealthy('alpha')).pid).toBe(alpha.pid);
    expect(await answerOf(a.url)).toContain(`pid ${alpha.pid}`);
  });

  it('a daemon restarted while a config is invalid runs that app on its last valid config, until the file is fixed', async () => {
    const ws = await makeWorkspace();
    const a = await addApp(ws, 'alpha', { kind: 'probe' });
    const first = await startDaemon(ws);
    await first.waitHealthy('alpha', a.remote.head);
    const valid = a.config;
    await writeRawConfig(a.configFile, '{ "repository": ');
    await first.waitForLog((l) => l.app === 'alpha' && l.event === 'config' && /invalid/.test(String(l.message)), 'kept');
    expect((await first.stop()).code).toBe(0);

    const second = await startDaemon(ws);
    await second.waitHealthy('alpha', a.remote.head);
    expect(second.logs((l) => l.app === 'alpha' && l.message === 'config is invalid: running the app on its last valid config')).toHaveLength(1);
    expect(second.logs((l) => l.level === 'error' && String(l.file).endsWith('alpha.json'))).not.toHaveLength(0);

    // Fixed (with a change): the app restarts on the new config. Removed: it stops, and is forgotten.
    await writeAppConfig(a, mergeConfig(valid, { application: { env: { ...(valid.application!.env as object), GREETING: 'fixed' } } }));
    await waitFor(async () => (await answerOf(a.url))?.includes('greeting fixed'), { timeoutMs: 15_000, what: 'alpha on the fixed config' });
    await removeAppConfig(a);
    await waitFor(async () => (await second.status()).apps.length === 0, { timeoutMs: 15_000, what: 'alpha removed' });
    expect((await second.stop()).code).toBe(0);
    const third = await startDaemon(ws);
    expect((await third.status()).apps).toEqual([]);
  });

  it('a config moved to another file, then broken there, or renamed and broken in one go: the app keeps running', async () => {
    const ws = await makeWorkspace();
    const a = await addApp(ws, 'alpha', { kind: 'probe' });
    const daemon = await startDaemon(ws);
    const alpha = await daemon.waitHealthy('alpha', a.remote.head);
    const samePid = async () => expect((await daemon.waitHealthy('alpha')).pid).toBe(alpha.pid);

    // Moved (as a conversion to another format would): the same config, nothing to restart.
    const moved = join(ws.configDir, 'moved.json');
    await writeRawConfig(moved, JSON.stringify({ ...a.config, name: 'alpha' }));
    await removeAppConfig(a);
    await daemon.waitForLog((l) => l.app === 'alpha' && /config moved to moved\.json/.test(String(l.message)), 'alpha moved');
    await samePid();

    // Broken in its new file: it is that file's errors that keep the app.
    await writeRawConfig(moved, '{ "repository": ');
    await daemon.waitForLog((l) => l.app === 'alpha' && l.message === 'config is invalid: keeping the running app on its last valid config', 'alpha kept');
    await samePid();

    // Renamed and broken in one go: the new file is invalid, the old one gone.
    await writeRawConfig(join(ws.configDir, 'renamed.json'), '{ "repository": ');
    await rm(moved);
    await daemon.waitForLog((l) => l.app === 'alpha' && /^config file moved\.json is gone while renamed\.json cannot be loaded/.test(String(l.message)), 'alpha kept with its file gone');
    await samePid();
    expect(await answerOf(a.url)).toContain(`pid ${alpha.pid}`);
    expect(daemon.logs((l) => l.app === 'alpha' && /config removed/.test(String(l.message)))).toEqual([]);

    // Once the directory loads without it, it goes.
    await rm(join(ws.configDir, 'renamed.json'));
    await waitFor(async () => (await daemon.app('alpha')) === undefined, { timeoutMs: 10_000, what: 'alpha to leave the status' });
    await waitFor(() => !pidAlive(alpha.pid!), { timeoutMs: 5000, what: 'alpha to stop' });
  });

  it('two apps on one checkout (as the original huddle allowed) take turns in it: both end on the newest commit', async () => {
    const ws = await makeWorkspace();
    // A slow hook widens the window in which two updates of the tree would overlap.
    const web = await addApp(ws, 'web', { config: { scripts: { 'post-pull': 'sleep 0.3' } } });
    const workerUrl = await addSharingApp(ws, web, 'worker');
    const daemon = await startDaemon(ws);
    await daemon.waitHealthy('web', web.remote.head);
    await daemon.waitHealthy('worker', web.remote.head);

    let last = web.remote.head;
    for (const version of ['2', '3', '4']) last = await pushCommit(web.remote, { VERSION: `${version}\n` });
    await daemon.waitHealthy('web', last);
    await daemon.waitHealthy('worker', last);
    await waitForVersion(web.url, '4');
    await waitForVersion(workerUrl, '4');
    expect(await checkoutHead(web.checkout)).toBe(last);
    expect(daemon.logs((l) => /index\.lock|locked/.test(JSON.stringify(l)))).toEqual([]);
    // Both cloned it at once on the first start: in turn, neither failed.
    expect(daemon.logs((l) => /cannot place the clone|→ failed|ENOTEMPTY/.test(JSON.stringify(l)))).toEqual([]);
    expect(daemon.logs((l) => l.message === 'cloned')).toHaveLength(1);
  });
});

