import { readFile } from 'node:fs/promises';
import type { Etcd3, IKeyValue } from 'etcd3';
import { slotsPrefix } from '../../src/fleet/keys.js';
import { appPath } from '../fixtures/apps/paths.js';
import { runCli, type CliResult } from '../fixtures/daemon/cli.js';
import { startDaemon, type DaemonProcess, type LogLine } from '../fixtures/daemon/daemonProcess.js';
import {
  addApp, makeWorkspace, mergeConfig, writeAppConfig, type Section, type TestApp, type Workspace,
} from '../fixtures/daemon/workspace.js';

/** One daemon of a test fleet: its own workspace (config, state, checkout) and app port. */
export interface FleetNode {
  id: string;
  ws: Workspace;
  app: TestApp;
  daemon: DaemonProcess;
}

export interface FleetOptions {
  /** Config sections merged into every node's app config. */
  config?: Record<string, Section | null>;
  /** Per node (by index): more sections, e.g. a slower poll for one node. */
  configOf?: (index: number) => Record<string, Section | null>;
  /** Per node: more `application.env`. */
  envOf?: (index: number) => Record<string, string>;
  /** More `huddle run` arguments for every node. */
  args?: string[];
}

/**
 * `count` real daemons named node-a, node-b … sharing one etcd and one bare repository, each
 * running app `web` from it, all started and healthy on the repository's first commit.
 */
export async function startFleet(endpoint: string, count: number, options: FleetOptions = {}): Promise<FleetNode[]> {
  const nodes: FleetNode[] = [];
  let first: TestApp | undefined;
  for (let i = 0; i < count; i++) {
    const ws = await makeWorkspace();
    const app = await addApp(ws, 'web', {
      write: false,
      env: options.envOf?.(i) ?? {},
      // Nodes see a push by polling, as with a remote on another machine (no timing.watch), so that
      // what moves a node in these tests is the fleet, or a poll.
      config: mergeConfig(mergeConfig({ timing: { watch: false } }, options.config ?? {}), options.configOf?.(i) ?? {}),
    });
    if (first) {
      app.remote = first.remote;
      app.config.repository!['remote path'] = first.remote.bare;
    }
    first ??= app;
    await writeAppConfig(app);
    const id = `node-${String.fromCharCode(97 + i)}`;
    const daemon = await startDaemon(ws, { args: ['--etcd', endpoint, '--node-id', id, ...(options.args ?? [])] });
    nodes.push({ id, ws, app, daemon });
  }
  await Promise.all(nodes.map((n) => n.daemon.waitHealthy('web', first!.remote.head, 20_000)));
  return nodes;
}

/** `huddle fleet …` against the test etcd. */
export function fleetCli(node: FleetNode, endpoint: string, args: string[], timeoutMs?: number): Promise<CliResult> {
  return runCli(node.ws, ['fleet', ...args, '--etcd', endpoint], timeoutMs);
}

/** The sample app, made to exit at start on nodes whose env has FLAVOR=bad. */
export async function breakableServer(): Promise<string> {
  const source = await readFile(appPath('version-server.mjs'), 'utf8');
  return `if (process.env.FLAVOR === 'bad') { console.error('broken on this node'); process.exit(3); }\n${source}`;
}

/** A commit that crashes at start everywhere. */
export const CRASHING_SERVER = "console.error('broken'); process.exit(3);\n";

export interface SlotRecord {
  type: 'put' | 'delete';
  key: string;
  revision: bigint;
}

/**
 * Every take and release of app `web`'s rollout slots, in etcd's revision order, from a watch:
 * the exact history against which the concurrency bound is proven.
 */
export async function recordSlots(client: Etcd3, app = 'web'): Promise<{ events: SlotRecord[]; stop: () => Promise<void> }> {
  const events: SlotRecord[] = [];
  const watcher = await client.watch().prefix(slotsPrefix('huddle', app)).create();
  const note = (type: SlotRecord['type']) => (kv: IKeyValue) =>
    events.push({ type, key: kv.key.toString(), revision: BigInt(kv.mod_revision) });
  watcher.on('put', note('put'));
  watcher.on('delete', note('delete'));
  return { events, stop: () => watcher.cancel() };
}

/** Most slots held at once in a recorded history (a put of a held key is not a new slot). */
export function maxHeld(events: SlotRecord[]): number {
  const held = new Set<string>();
  let max = 0;
  for (const e of [...events].sort((a, b) => (a.revision < b.revision ? -1 : a.revision > b.revision ? 1 : 0))) {
    if (e.type === 'put') held.add(e.key);
    else held.delete(e.key);
    max = Math.max(max, held.size);
  }
  return max;
}

/** A daemon's state-change log lines for the app: `{ at, from, to, commit }`. */
export function transitions(node: FleetNode): Array<{ at: number; from: string; to: string; commit: string | undefined }> {
  return node.daemon
    .logs((l: LogLine) => l.event === 'state' && l.app === 'web')
    .map((l) => ({ at: Date.parse(String(l.time)), from: String(l.from), to: String(l.to), commit: l.commit as string | undefined }));
}

/** When the daemon logged taking and releasing its rollout slots, as [taken, released] pairs. */
export function slotIntervals(node: FleetNode): Array<[number, number]> {
  const lines = node.daemon.logs((l) => l.event === 'rollout' && l.app === 'web' && (l.slot === 'taken' || l.slot === 'released'));
  const intervals: Array<[number, number]> = [];
  let open: number | undefined;
  for (const l of lines) {
    const at = Date.parse(String(l.time));
    if (l.slot === 'taken') open = at;
    else if (open !== undefined) {
      intervals.push([open, at]);
      open = undefined;
    }
  }
  if (open !== undefined) intervals.push([open, Number.POSITIVE_INFINITY]);
  return intervals;
}

/** Most [start, end) intervals covering one instant (at equal times an end counts before a start). */
export function maxOverlap(intervals: Array<[number, number]>): number {
  const points = intervals.flatMap(([a, b]) => [[a, 1], [b, -1]] as const).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let open = 0;
  let max = 0;
  for (const [, d] of points) {
    open += d;
    max = Math.max(max, open);
  }
  return max;
}
