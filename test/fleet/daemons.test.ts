// Several real daemons (separate state dirs and checkouts) share one etcd and one bare repository:
// each publishes its apps' state and commit, and `huddle fleet status` sees every live node.
import { expect, it } from 'vitest';
import { runCli } from '../fixtures/daemon/cli.js';
import { cleanUpAfterEach } from '../fixtures/daemon/cleanup.js';
import { startDaemon } from '../fixtures/daemon/daemonProcess.js';
import { addApp, makeWorkspace, writeAppConfig } from '../fixtures/daemon/workspace.js';
import { describeWithEtcd, useEtcd } from '../fixtures/etcd/gate.js';
import { pushCommit } from '../fixtures/git/testRepo.js';
import { waitFor } from '../fixtures/git/waitFor.js';

cleanUpAfterEach();

interface FleetJson {
  nodes: Array<{ node: string; app: string; state: string; commit: string | null }>;
}

describeWithEtcd('huddle run --etcd: presence of real daemons', () => {
  const etcd = useEtcd();

  it('two nodes publish their app; fleet status follows a push and forgets a stopped node', async () => {
    const first = await makeWorkspace();
    const web = await addApp(first, 'web');
    const second = await makeWorkspace();
    // Same repository, its own checkout and port.
    const twin = await addApp(second, 'web', { write: false });
    twin.config.repository!['remote path'] = web.remote.bare;
    await writeAppConfig(twin);

    const a = await startDaemon(first, { args: ['--etcd', etcd().endpoint, '--node-id', 'node-a'] });
    const b = await startDaemon(second, { args: ['--etcd', etcd().endpoint, '--node-id', 'node-b'] });
    await a.waitHealthy('web', web.remote.head);
    await b.waitHealthy('web', web.remote.head);

    const fleet = async (): Promise<FleetJson> => {
      const out = await runCli(first, ['fleet', 'status', '--json', '--etcd', etcd().endpoint]);
      expect(out.code, out.stderr).toBe(0);
      return JSON.parse(out.stdout) as FleetJson;
    };
    const healthyOn = async (commit: string) =>
      (await fleet()).nodes.filter((n) => n.app === 'web' && n.state === 'healthy' && n.commit === commit).map((n) => n.node).sort();
    await waitFor(async () => (await healthyOn(web.remote.head)).join() === 'node-a,node-b', {
      timeoutMs: 10_000,
      what: 'both nodes healthy on the first commit in fleet status',
    });

    const next = await pushCommit(web.remote, { VERSION: '2\n' });
    await waitFor(async () => (await healthyOn(next)).join() === 'node-a,node-b', {
      timeoutMs: 15_000,
      what: 'both nodes healthy on the pushed commit in fleet status',
    });
    const table = await runCli(first, ['fleet', 'status', '--etcd', etcd().endpoint]);
    expect(table.stdout).toContain(`${next.slice(0, 7)}  2 healthy`);

    // A node that stops cleanly revokes its lease: its entries go at once.
    expect((await b.stop()).code).toBe(0);
    await waitFor(async () => (await fleet()).nodes.every((n) => n.node === 'node-a'), {
      timeoutMs: 10_000,
      what: 'node-b gone from fleet status',
    });
  });

  it('fleet status without etcd endpoints is a one-line error', async () => {
    const ws = await makeWorkspace();
    const out = await runCli(ws, ['fleet', 'status']);
    expect(out.code).toBe(1);
    expect(out.stderr.trim()).toBe('huddle fleet status: no etcd endpoints (use --etcd URL or set HUDDLE_ETCD)');
  });
});
