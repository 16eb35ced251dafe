import type { Command } from 'commander';
import { createEtcdClient } from '../../fleet/etcdClient.js';
import { NodeLease } from '../../fleet/nodeLease.js';
import { Presence, type PresenceRecord } from '../../fleet/presence.js';
import { shortCommit } from '../../log.js';
import { fail } from '../fail.js';
import { etcdOptions } from './run.js';

/** Per app, each commit with its node count by state: the houston-style view of a fleet. */
export function formatFleet(records: PresenceRecord[]): string {
  if (records.length === 0) return 'no live nodes\n';
  const lines: string[] = [];
  for (const app of [...new Set(records.map((r) => r.app))].sort()) {
    lines.push(app);
    const ofApp = records.filter((r) => r.app === app);
    for (const commit of [...new Set(ofApp.map((r) => r.commit))]) {
      const counts = new Map<string, number>();
      for (const r of ofApp.filter((x) => x.commit === commit)) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
      const byState = [...counts].map(([state, n]) => `${n} ${state}`).join(', ');
      lines.push(`  ${shortCommit(commit) ?? '(none)'}  ${byState}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function registerFleet(program: Command): void {
  const fleet = program.command('fleet').description('what the nodes sharing an etcd cluster run (needs --etcd or HUDDLE_ETCD)');
  fleet
    .command('status')
    .description('per app, each commit with its node count by state')
    .option('--etcd <urls>', 'etcd endpoints (comma-separated); default $HUDDLE_ETCD')
    .option('--json', 'print {"nodes":[{"node","app","state","commit","since"}]}')
    .action(async (opts: { etcd?: string; json?: boolean }) => {
      const { etcd } = etcdOptions(opts);
      if (!etcd) return fail(new Error('huddle fleet: no etcd endpoints (use --etcd URL or set HUDDLE_ETCD)'));
      const client = createEtcdClient({ endpoints: etcd, nodeId: 'huddle-cli', callTimeoutMs: 5000 });
      try {
        // Reading needs no lease of its own; a Presence is only the reader of the keys here.
        const lease = new NodeLease(client);
        const records = await new Presence(client, lease, 'huddle-cli').list();
        await lease.close({ revoke: true }).catch(() => undefined);
        const nodes = records.map(({ node, app, state, commit, since }) => ({ node, app, state, commit, since }));
        process.stdout.write(opts.json ? `${JSON.stringify({ nodes }, null, 2)}\n` : formatFleet(records));
      } catch (error) {
        fail(new Error(`huddle fleet: cannot read etcd at ${etcd.join(',')}: ${(error as Error).message}`));
      } finally {
        client.close();
      }
    });
}
