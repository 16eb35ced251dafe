// A bad commit across real daemons: after `halt after` distinct nodes rolled it back, no other
// node deploys it, and a node running it on probation rolls back.
import { expect, it } from 'vitest';
import { cleanUpAfterEach } from '../fixtures/daemon/cleanup.js';
import type { Section } from '../fixtures/daemon/workspace.js';
import { describeWithEtcd, useEtcd } from '../fixtures/etcd/gate.js';
import { pushCommit } from '../fixtures/git/testRepo.js';
import { breakableServer, CRASHING_SERVER, fleetCli, startFleet, transitions } from './fleetDaemons.js';

cleanUpAfterEach();

// Probation long enough that a crash is always inside it; a crash loop gives up after 2 restarts.
const BAD_COMMIT_CONFIG = {
  rollback: { probation: 30 },
  restart: { limit: { restarts: 2, window: 60 } },
} as const;

describeWithEtcd('halting a bad commit across real daemons', () => {
  const etcd = useEtcd();

  it('after `halt after` nodes rolled it back, the rest never deploy it', async () => {
    const nodes = await startFleet(etcd().endpoint, 3, {
      config: { ...BAD_COMMIT_CONFIG, rollout: { 'max concurrent': 2, 'halt after': 2 } },
      // node-c polls rarely: by its first poll the commit is halted.
      configOf: (i): Record<string, Section> => (i === 2 ? { timing: { minimum: 8, maximum: 8 } } : {}),
    });
    const [a, b, c] = nodes as [typeof nodes[0], typeof nodes[0], typeof nodes[0]];
    const good = a.app.remote.head;
    const pushedAt = Date.now();
    const bad = await pushCommit(a.app.remote, { 'server.mjs': CRASHING_SERVER });
    for (const node of [a, b]) {
      await node.daemon.waitForApp('web', (s) => s.error?.startsWith(`rolled back ${bad.slice(0, 12)}`) === true, 'rolled back', 30_000);
      await node.daemon.waitHealthy('web', good);
    }
    const status = await fleetCli(a, etcd().endpoint, ['status']);
    expect(status.stdout).toMatch(new RegExp(`halted commit ${bad.slice(0, 7)}: rolled back on 2 node\\(s\\) \\(node-a, node-b\\)`));
    // node-c polls, sees the halted head, and keeps serving the good commit.
    await c.daemon.waitForApp('web', (s) => s.error !== null && s.error.includes('the fleet halted'), 'told of the halt', 20_000);
    await c.daemon.waitForLog((l) => l.event === 'state' && l.to === 'waitingForRollout', 'node-c asked about the bad commit', 20_000);
    await c.daemon.waitHealthy('web', good);
    expect(transitions(c).filter((t) => t.at >= pushedAt && ['stopping', 'updating'].includes(t.to))).toEqual([]);
    expect(await (await fetch(c.app.url)).text()).toBe('version 1\n');
  }, 120_000);

  it('a node running the commit on probation rolls back once it is halted', async () => {
    const nodes = await startFleet(etcd().endpoint, 3, {
      config: { ...BAD_COMMIT_CONFIG, rollout: { 'max concurrent': 3, 'halt after': 2 } },
      // The commit breaks on node-a and node-b only: node-c runs it fine, on probation.
      envOf: (i): Record<string, string> => (i < 2 ? { FLAVOR: 'bad' } : {}),
    });
    const c = nodes[2]!;
    const good = c.app.remote.head;
    const pushedAt = Date.now();
    const bad = await pushCommit(c.app.remote, { 'server.mjs': await breakableServer(), VERSION: '2\n' });
    // node-c takes the commit; the halt reaches it on probation (or, on a slow machine, while it
    // is still checking the commit out): either way it goes back to the good commit.
    await c.daemon.waitForLog((l) => l.event === 'state' && l.to === 'updating' && Date.parse(String(l.time)) >= pushedAt,
      'node-c updating to the new commit', 20_000);
    const rolledBack = await c.daemon.waitForApp('web', (s) => s.error?.startsWith('rolled back') === true, 'rolled back by the halt', 40_000);
    expect(rolledBack.error).toMatch(new RegExp(`^rolled back ${bad.slice(0, 12)} → ${good.slice(0, 12)}: halted by the fleet`));
    expect((await fleetCli(c, etcd().endpoint, ['status'])).stdout).toContain(`halted commit ${bad.slice(0, 7)}: rolled back on 2 node(s) (node-a, node-b)`);
    for (const node of nodes) await node.daemon.waitHealthy('web', good, 20_000);
    expect(await (await fetch(c.app.url)).text()).toBe('version 1\n');
    // Lifting the halt lets an operator take the commit again everywhere it works.
    const resumed = await fleetCli(c, etcd().endpoint, ['resume', 'web', '--commit', bad]);
    expect(resumed.code, resumed.stderr).toBe(0);
  }, 120_000);
});
