// The `huddle fleet` commands' work, loaded only when one runs (etcd's client is heavy).
import type { Etcd3 } from 'etcd3';
import { confirmation, formatConfirmation, isConfirmed, sameCommit } from '../../fleet/confirmation.js';
import { createEtcdClient } from '../../fleet/etcdClient.js';
import { FleetControl, type AppControl } from '../../fleet/fleetControl.js';
import { listPresence, type PresenceRecord } from '../../fleet/presence.js';
import { shortCommit } from '../../log.js';
import { fleetOptionsOf, type EtcdFlags } from '../etcdFlags.js';
import { fail } from '../fail.js';

/** Per app, each commit with its node count by state, and what the fleet decided about the app. */
export function formatFleet(records: PresenceRecord[], controls: Map<string, AppControl> = new Map()): string {
  const apps = [...new Set([...records.map((r) => r.app), ...controls.keys()])].sort();
  if (apps.length === 0) return 'no live nodes\n';
  const lines: string[] = [];
  for (const app of apps) {
    lines.push(app);
    const control = controls.get(app);
    if (control?.pin) lines.push(`  pinned to ${control.pin.ref} (since ${control.pin.at})`);
    if (control?.halt) lines.push(`  rollouts halted: ${control.halt.reason} (since ${control.halt.at})`);
    for (const halted of control?.halted.values() ?? []) lines.push(`  halted commit ${shortCommit(halted.commit)}: ${halted.reason}`);
    const ofApp = records.filter((r) => r.app === app);
    if (ofApp.length === 0) lines.push('  no live nodes');
    for (const commit of [...new Set(ofApp.map((r) => r.commit))]) {
      const counts = new Map<string, number>();
      for (const r of ofApp.filter((x) => x.commit === commit)) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
      const byState = [...counts].map(([state, n]) => `${n} ${state}`).join(', ');
      lines.push(`  ${shortCommit(commit) ?? '(none)'}  ${byState}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Runs `work` with a client for the flags' etcd; any failure is one line on stderr and exit 1. */
async function withEtcd(flags: EtcdFlags, what: string, work: (client: Etcd3, fleet: FleetControl) => Promise<void>): Promise<void> {
  let client: Etcd3 | undefined;
  try {
    const options = fleetOptionsOf(flags);
    if (!options.etcd) throw new Error('no etcd endpoints (use --etcd URL or set HUDDLE_ETCD)');
    client = createEtcdClient({
      endpoints: options.etcd,
      nodeId: 'huddle-cli',
      callTimeoutMs: 5000,
      ...(options.etcdTls ? { tls: options.etcdTls } : {}),
      ...(options.etcdAuth ? { auth: options.etcdAuth } : {}),
    });
    await work(client, new FleetControl(client));
  } catch (error) {
    fail(new Error(`huddle fleet ${what}: ${(error as Error).message}`));
  } finally {
    client?.close();
  }
}

export function fleetStatus(opts: EtcdFlags & { json?: boolean }): Promise<void> {
  return withEtcd(opts, 'status', async (client, control) => {
        const records = await listPresence(client);
        const nodes = records.map(({ node, app, state, commit, since }) => ({ node, app, state, commit, since }));
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ nodes }, null, 2)}\n`);
          return;
        }
        const controls = new Map<string, AppControl>();
        for (const app of new Set(records.map((r) => r.app))) controls.set(app, (await control.read(app)).control);
        process.stdout.write(formatFleet(records, controls));
      });
}

export function fleetDeploy(app: string, ref: string, opts: EtcdFlags): Promise<void> {
  return withEtcd(opts, 'deploy', async (_client, control) => {
        const { control: now } = await control.read(app);
        const halted = [...now.halted.values()].find((h) => sameCommit(h.commit, ref));
        if (halted) {
          throw new Error(`${ref} is halted (${halted.reason}); lift it first with: huddle fleet resume ${app} --commit ${halted.commit}`);
        }
        await control.deploy(app, ref);
        process.stdout.write(`${app}: deploy of ${ref} published; follow it with: huddle fleet wait ${app} <commit>\n`);
      });
}

export function fleetPin(app: string, ref: string | undefined, opts: EtcdFlags): Promise<void> {
  return withEtcd(opts, 'pin', async (client, control) => {
        const chosen = ref ?? mostHealthyCommit(await listPresence(client, app));
        if (!chosen) throw new Error(`no live node runs ${app} healthy: name the commit to pin`);
        await control.pin(app, chosen);
        process.stdout.write(`${app}: pinned to ${chosen}\n`);
      });
}

export function fleetUnpin(app: string, opts: EtcdFlags): Promise<void> {
  return withEtcd(opts, 'unpin', async (_client, control) => {
        const removed = await control.unpin(app);
        process.stdout.write(removed ? `${app}: unpinned\n` : `${app}: was not pinned\n`);
      });
}

export function fleetHalt(app: string, opts: EtcdFlags & { commit?: string; reason: string }): Promise<void> {
  return withEtcd(opts, 'halt', async (_client, control) => {
        if (opts.commit !== undefined) {
          if (!/^[0-9a-f]{40}$/i.test(opts.commit)) throw new Error('--commit: give the full 40-digit commit id');
          await control.haltCommit(app, opts.commit.toLowerCase(), opts.reason);
          process.stdout.write(`${app}: commit ${opts.commit} halted\n`);
          return;
        }
        await control.halt(app, opts.reason);
        process.stdout.write(`${app}: rollouts halted\n`);
      });
}

export function fleetResume(app: string, opts: EtcdFlags & { commit?: string }): Promise<void> {
  return withEtcd(opts, 'resume', async (_client, control) => {
        if (opts.commit !== undefined) {
          const { control: now } = await control.read(app);
          const halted = [...now.halted.values()].find((h) => sameCommit(h.commit, opts.commit!));
          if (!halted) throw new Error(`${app}: commit ${opts.commit} is not halted`);
          await control.resumeCommit(app, halted.commit);
          process.stdout.write(`${app}: commit ${halted.commit} may be deployed again ` +
            `(nodes that quarantined it take it back with: huddle fleet deploy ${app} ${halted.commit})\n`);
          return;
        }
        const lifted = await control.resume(app);
        process.stdout.write(lifted ? `${app}: rollouts resumed\n` : `${app}: rollouts were not halted\n`);
      });
}

export function fleetWait(app: string, commit: string, opts: EtcdFlags & { nodes: string; timeout: string }): Promise<void> {
  return withEtcd(opts, 'wait', async (client, control) => {
        const minNodes = Number(opts.nodes);
        const timeoutS = Number(opts.timeout);
        if (!Number.isInteger(minNodes) || minNodes < 1) throw new Error(`--nodes: expected a whole number >= 1, got ${opts.nodes}`);
        if (!Number.isFinite(timeoutS) || timeoutS < 0) throw new Error(`--timeout: expected seconds >= 0, got ${opts.timeout}`);
        if (!/^[0-9a-f]{7,40}$/i.test(commit)) throw new Error(`<commit>: expected 7 to 40 hex digits, got ${commit}`);
        const started = Date.now();
        for (;;) {
          const [records, { control: now }] = await Promise.all([listPresence(client, app), control.read(app)]);
          const c = confirmation(app, commit, records, minNodes, now.halted.values());
          const elapsed = Date.now() - started;
          if (isConfirmed(c)) {
            process.stdout.write(formatConfirmation(c, elapsed));
            return;
          }
          if (c.halted || elapsed >= timeoutS * 1000) {
            process.stdout.write(formatConfirmation(c, elapsed));
            process.exitCode = 1;
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      });
}

/** The commit the most live nodes run healthy (what `fleet pin` holds when given none). */
function mostHealthyCommit(records: PresenceRecord[]): string | undefined {
  const counts = new Map<string, number>();
  for (const r of records) if (r.state === 'healthy' && r.commit) counts.set(r.commit, (counts.get(r.commit) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}
