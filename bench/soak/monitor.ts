import { existsSync, readFileSync } from 'node:fs';
import { pause, type SoakContext } from './context.js';
import { describeProcess, isServerOf, scanProcesses, type SoakProcess } from './procScan.js';
import { readStateFiles } from './stateFiles.js';
import { MARKER_VAR } from './world.js';

// The invariants checked all along, every SAMPLE_MS: no orphan process, never two instances of an
// app, state files always readable, no instance ever found its port taken. (That the daemon never
// exits on its own is checked on its exit event, in soak.ts.)

const SAMPLE_MS = 150;
/**
 * A process that left the daemon's tree may be one being stopped (an app's shell dies an instant
 * before the rest of its group): only one that stays outside longer is an orphan.
 */
const ORPHAN_TOLERANCE_MS = 2000;
const STATUS_EVERY_MS = 300;
/** The control socket may be slow on a loaded machine; silence this long is a failure. */
const STATUS_SILENCE_LIMIT_MS = 20_000;

export interface MonitorStats {
  samples: number;
  stateFilesRead: number;
  maxProcesses: number;
}

function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? null : (fields[19] ?? null);
  } catch {
    return null;
  }
}

/** Two instances at once, confirmed after the scan (the scan itself is not one instant). */
function stillBothAlive(servers: SoakProcess[], before: Map<number, string | null>): boolean {
  return servers.filter((s) => before.get(s.pid) !== null && startTime(s.pid) === before.get(s.pid)).length > 1;
}

export function checkProcesses(ctx: SoakContext, processes: SoakProcess[], firstSeenOutside: Map<number, number>): void {
  const now = Date.now();
  const seen = new Set<number>();
  for (const proc of processes) {
    if (proc.ours) continue;
    seen.add(proc.pid);
    const first = firstSeenOutside.get(proc.pid) ?? now;
    firstSeenOutside.set(proc.pid, first);
    const inGrace = now < ctx.orphanGraceUntil || !ctx.daemonReady;
    if (!inGrace && now - Math.max(first, ctx.orphanGraceUntil) > ORPHAN_TOLERANCE_MS) {
      ctx.fail(proc.app, `orphan process, outside the daemon's tree for ${now - first} ms: ${describeProcess(proc)}`);
    }
  }
  for (const pid of firstSeenOutside.keys()) if (!seen.has(pid)) firstSeenOutside.delete(pid);

  for (const app of ctx.world.apps) {
    const servers = processes.filter((p) => isServerOf(p, app.name));
    if (servers.length < 2) continue;
    const before = new Map(servers.map((s) => [s.pid, startTime(s.pid)]));
    if (stillBothAlive(servers, before)) {
      ctx.fail(app.name, `two instances serving at once:\n  ${servers.map(describeProcess).join('\n  ')}`);
    }
  }
}

async function checkStateFiles(ctx: SoakContext, stats: MonitorStats): Promise<void> {
  const reading = await readStateFiles(ctx.world.stateDir);
  stats.stateFilesRead += reading.filesRead;
  for (const { file, error } of reading.unreadable) ctx.fail(null, `state file does not parse: ${file}: ${error}`);
  for (const file of reading.corrupt) ctx.fail(null, `the daemon moved a corrupt state file aside: ${file}`);
  for (const [app, persisted] of reading.persisted) {
    const view = ctx.views.get(app);
    if (view) view.persisted = persisted;
  }
}

function checkClashes(ctx: SoakContext): void {
  for (const app of ctx.world.apps) {
    if (!existsSync(app.clashFile)) continue;
    const text = readFileSync(app.clashFile, 'utf8').trim();
    if (text) ctx.fail(app.name, `an instance found the app's port taken by another one: ${text}`);
  }
}

/** Until `stop` aborts: /proc, state files and port clashes every SAMPLE_MS. */
export async function monitorLoop(ctx: SoakContext, stats: MonitorStats, stop: AbortSignal): Promise<void> {
  const firstSeenOutside = new Map<number, number>();
  while (!stop.aborted) {
    const snapshot = scanProcesses(ctx.world.root, MARKER_VAR, ctx.world.marker);
    stats.samples++;
    stats.maxProcesses = Math.max(stats.maxProcesses, snapshot.processes.length);
    checkProcesses(ctx, snapshot.processes, firstSeenOutside);
    await checkStateFiles(ctx, stats);
    checkClashes(ctx);
    await pause(SAMPLE_MS, stop);
  }
}

/** Until `stop` aborts: `huddle status` of the running daemon every STATUS_EVERY_MS. */
export async function statusLoop(ctx: SoakContext, stop: AbortSignal): Promise<void> {
  let lastAnswer = Date.now();
  while (!stop.aborted) {
    const daemon = ctx.daemon;
    if (daemon && ctx.daemonReady) {
      try {
        const status = await daemon.status(5000);
        lastAnswer = Date.now();
        for (const app of status.apps) {
          const view = ctx.views.get(app.name);
          if (view) Object.assign(view, { status: app, statusAt: lastAnswer });
        }
      } catch (error) {
        if (daemon === ctx.daemon && ctx.daemonReady && Date.now() - Math.max(lastAnswer, daemon.readyAt ?? 0) > STATUS_SILENCE_LIMIT_MS) {
          ctx.fail(null, `the daemon has not answered on its control socket for ${STATUS_SILENCE_LIMIT_MS} ms: ${(error as Error).message}`);
        }
      }
    } else {
      lastAnswer = Date.now();
    }
    await pause(STATUS_EVERY_MS, stop);
  }
}
