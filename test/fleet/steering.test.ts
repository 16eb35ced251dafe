// Operators steering real daemons through etcd: `fleet deploy` without waiting for a poll,
// `fleet wait` on a good and on a stuck rollout, `fleet halt|resume`, `fleet pin|unpin`.
import { expect, it } from 'vitest';
import { appCommand } from '../fixtures/daemon/cli.js';
import { cleanUpAfterEach } from '../fixtures/daemon/cleanup.js';
import { describeWithEtcd, useEtcd } from '../fixtures/etcd/gate.js';
import { pushCommit } from '../fixtures/git/testRepo.js';
import { fleetCli, startFleet } from './fleetDaemons.js';

cleanUpAfterEach();

describeWithEtcd('steering a fleet of real daemons', () => {
  const etcd = useEtcd();

  it('fleet deploy reaches every node at once; fleet wait confirms it, or names the laggards', async () => {
    // No poll for ten minutes: whatever moves, moves because of the fleet.
    const nodes = await startFleet(etcd().endpoint, 3, { config: { timing: { minimum: 600, maximum: 600 } } });
    const [a] = nodes as [typeof nodes[0]];
    const cli = (args: string[], timeoutMs?: number) => fleetCli(a, etcd().endpoint, args, timeoutMs);

    const second = await pushCommit(a.app.remote, { VERSION: '2\n' });
    const started = Date.now();
    const deploy = await cli(['deploy', 'web', second]);
    expect(deploy.code, deploy.stderr).toBe(0);
    const confirmed = await cli(['wait', 'web', second.slice(0, 10), '--nodes', '3', '--timeout', '30']);
    expect(confirmed.code, confirmed.stdout + confirmed.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(confirmed.stdout).toMatch(new RegExp(`^web: ${second.slice(0, 10)} is healthy on 3/3 live node\\(s\\), confirmed after`));
    for (const n of nodes) expect(await (await fetch(n.app.url)).text()).toBe('version 2\n');

    // Rollouts halted: a deploy waits on every node, and `fleet wait` names them all.
    expect((await cli(['halt', 'web', '--reason', 'change freeze'])).code).toBe(0);
    const third = await pushCommit(a.app.remote, { VERSION: '3\n' });
    expect((await cli(['deploy', 'web', 'main'])).code).toBe(0);
    for (const n of nodes) await n.daemon.waitForApp('web', (s) => s.state === 'waitingForRollout', 'held by the halt');
    const stuck = await cli(['wait', 'web', third, '--nodes', '3', '--timeout', '1']);
    expect(stuck.code).toBe(1);
    expect(stuck.stdout).toContain(`web: ${third.slice(0, 12)} is healthy on 0/3 live node(s)`);
    for (const n of nodes) expect(stuck.stdout).toMatch(new RegExp(`  ${n.id}  waitingForRollout on ${second.slice(0, 12)}`));
    expect((await cli(['status'])).stdout).toContain('rollouts halted: change freeze');
    for (const n of nodes) expect(await (await fetch(n.app.url)).text()).toBe('version 2\n');

    expect((await cli(['resume', 'web'])).code).toBe(0);
    const resumed = await cli(['wait', 'web', third, '--nodes', '3', '--timeout', '30']);
    expect(resumed.code, resumed.stdout).toBe(0);

    // More nodes required than run the app: not confirmed.
    const tooFew = await cli(['wait', 'web', third, '--nodes', '4', '--timeout', '0']);
    expect(tooFew.code).toBe(1);
    expect(tooFew.stdout).toContain('(at least 4 needed)');
  }, 120_000);

  it('fleet pin holds every node on a commit while the branch moves; unpin lets them follow it', async () => {
    const nodes = await startFleet(etcd().endpoint, 2, { config: { timing: { minimum: 600, maximum: 600 } } });
    const [a] = nodes as [typeof nodes[0]];
    const cli = (args: string[]) => fleetCli(a, etcd().endpoint, args);
    const first = a.app.remote.head;

    const pinned = await cli(['pin', 'web']);
    expect(pinned.stdout.trim()).toBe(`web: pinned to ${first}`);
    const moved = await pushCommit(a.app.remote, { VERSION: '2\n' });
    for (const n of nodes) {
      expect((await appCommand(n.ws, 'poll', 'web')).code).toBe(0);
      await n.daemon.waitForLog((l) => l.event === 'state' && l.from === 'fetching' && l.to === 'healthy', 'a poll done');
      expect((await n.daemon.app('web'))?.commit).toBe(first);
    }
    expect((await cli(['status'])).stdout).toContain(`pinned to ${first}`);

    expect((await cli(['unpin', 'web'])).stdout.trim()).toBe('web: unpinned');
    for (const n of nodes) await n.daemon.waitHealthy('web', moved, 15_000);
  }, 90_000);

  it('refuses to deploy a halted commit, and says how to lift the halt', async () => {
    const nodes = await startFleet(etcd().endpoint, 1);
    const head = nodes[0]!.app.remote.head;
    const cli = (args: string[]) => fleetCli(nodes[0]!, etcd().endpoint, args);
    expect((await cli(['halt', 'web', '--commit', head, '--reason', 'leaks memory'])).code).toBe(0);
    const refused = await cli(['deploy', 'web', head.slice(0, 8)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      `huddle fleet deploy: ${head.slice(0, 8)} is halted (leaks memory); lift it first with: huddle fleet resume web --commit ${head}`,
    );
    const wait = await cli(['wait', 'web', head, '--timeout', '5']);
    expect(wait.code).toBe(1);
    expect(wait.stdout).toContain(`web: ${head.slice(0, 12)} is halted fleet-wide: leaks memory`);
    expect((await cli(['resume', 'web', '--commit', head])).code).toBe(0);
    expect((await cli(['deploy', 'web', head])).code).toBe(0);
  }, 60_000);
});
