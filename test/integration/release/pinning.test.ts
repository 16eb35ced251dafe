// `repository.ref` pins an app to a tag: the branch moving deploys nothing; moving the pin in the
// config, while the daemon runs, deploys the commit of the new tag.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkoutHead } from '../../fixtures/daemon/checkout.js';
import { cleanUpAfterEach } from '../../fixtures/daemon/cleanup.js';
import { startDaemon } from '../../fixtures/daemon/daemonProcess.js';
import { versionServed, waitForVersion } from '../../fixtures/daemon/http.js';
import { addApp, makeWorkspace, mergeConfig, writeAppConfig } from '../../fixtures/daemon/workspace.js';
import { pushCommit } from '../../fixtures/git/testRepo.js';
import { waitFor } from '../../fixtures/git/waitFor.js';
import { isTransition } from '../../fixtures/release/appConfig.js';
import { moveTag, pushTag } from '../../fixtures/release/signedRemote.js';

cleanUpAfterEach();

describe('repository.ref pinning', () => {
  it('a tag pin ignores pushes to the branch; moving the pin in the config deploys the new tag', async () => {
    const ws = await makeWorkspace();
    const web = await addApp(ws, 'web', { write: false });
    const v1 = web.remote.head;
    await pushTag(web.remote, 'v1');
    // The branch is already past the tag when the daemon first clones: the pin, not the tip, runs.
    const ahead = await pushCommit(web.remote, { VERSION: '2\n' }, 'on the branch, not released');
    await writeAppConfig(web, mergeConfig(web.config, { repository: { ref: 'v1' } }));
    const daemon = await startDaemon(ws);
    await daemon.waitHealthy('web', v1);
    expect(await versionServed(web.url)).toBe('1');

    const later = await pushCommit(web.remote, { VERSION: '3\n' }, 'still not released');
    const polls = () => daemon.logs(isTransition('web', 'fetching')).length;
    const pollsBefore = polls();
    await waitFor(() => polls() >= pollsBefore + 3, { timeoutMs: 10_000, what: 'three more polls' });
    const pinned = await daemon.app('web');
    expect(pinned?.commit).toBe(v1);
    expect(pinned?.error).toBeNull();
    expect(await versionServed(web.url)).toBe('1');
    expect(await checkoutHead(web.checkout)).toBe(v1);
    for (const commit of [ahead, later]) {
      expect(daemon.logs((l) => l.app === 'web' && l.commit === commit.slice(0, 7))).toHaveLength(0);
    }

    // Release 3 (an annotated tag: the pin means the commit it points at), then move the pin.
    await pushTag(web.remote, 'v3', later);
    await writeAppConfig(web, mergeConfig(web.config, { repository: { ref: 'v3' } }));
    await daemon.waitHealthy('web', later);
    await waitForVersion(web.url, '3');
    expect(await checkoutHead(web.checkout)).toBe(later);
    expect(daemon.logs((l) => l.app === 'web' && l.commit === ahead.slice(0, 7))).toHaveLength(0);
  });

  it('a pin follows its tag when the tag is moved on the remote; moving another tag does not disturb it', async () => {
    const ws = await makeWorkspace();
    const web = await addApp(ws, 'web', { write: false });
    const first = web.remote.head;
    await pushTag(web.remote, 'stable', first, true);
    await pushTag(web.remote, 'nightly', first, true);
    await writeAppConfig(web, mergeConfig(web.config, { repository: { ref: 'stable' } }));
    const daemon = await startDaemon(ws);
    await daemon.waitHealthy('web', first);

    // Another tag moves (as a nightly build's tag does): the pinned app keeps polling cleanly.
    const nightly = await pushCommit(web.remote, { VERSION: '2\n' }, 'nightly build');
    await moveTag(web.remote, 'nightly', nightly);
    const polls = () => daemon.logs(isTransition('web', 'fetching')).length;
    const pollsBefore = polls();
    await waitFor(() => polls() >= pollsBefore + 3, { timeoutMs: 10_000, what: 'three more polls' });
    const still = await daemon.waitForApp('web', (a) => a.state === 'healthy', 'healthy after the polls');
    expect(still.commit).toBe(first);
    expect(still.error).toBeNull();

    // The release channel's tag moves: the pin follows it.
    await moveTag(web.remote, 'stable', nightly);
    await daemon.waitHealthy('web', nightly);
    await waitForVersion(web.url, '2');
    expect((await daemon.app('web'))?.error).toBeNull();
  });
});

describe('a pinned app whose checkout is cloned afresh', () => {
  it('a new `local path` clones the branch tip, then checks out the pin: the app runs the commit the status reports', async () => {
    const ws = await makeWorkspace();
    const web = await addApp(ws, 'web', { write: false });
    const v1 = web.remote.head;
    await pushTag(web.remote, 'v1');
    await pushCommit(web.remote, { VERSION: '2\n' }, 'on the branch, not released');
    await writeAppConfig(web, mergeConfig(web.config, { repository: { ref: 'v1' } }));
    const daemon = await startDaemon(ws);
    const before = await daemon.waitHealthy('web', v1);

    const moved = join(ws.checkouts, 'web-moved');
    await writeAppConfig(web, mergeConfig(web.config, { repository: { 'local path': moved } }));
    const after = await daemon.waitForApp(
      'web',
      (a) => a.state === 'healthy' && a.pid !== null && a.pid !== before.pid && existsSync(moved),
      'healthy again, from the new checkout',
      20_000,
    );
    expect(after.commit).toBe(v1);
    expect(await checkoutHead(moved)).toBe(v1);
    expect(await versionServed(web.url)).toBe('1');
  });
});
