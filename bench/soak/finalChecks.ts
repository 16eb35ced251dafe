import { waitUntil, type AppView, type SoakContext } from './context.js';
import { formatSeconds } from './eventLog.js';
import { describeProcess, scanProcesses } from './procScan.js';
import { MARKER_VAR } from './world.js';

// After the last fault: every app back on the newest good commit (within a settle deadline), no
// orphan, then a clean SIGTERM of the daemon that leaves no process behind.

const SETTLE_LIMIT_MS = 90_000;
const STOP_LIMIT_MS = 30_000;
const LEFTOVER_LIMIT_MS = 3000;

/** Why the app is not settled on its newest good commit yet, or null when it is. */
function unsettledBecause(ctx: SoakContext, view: AppView, since: number): string | null {
  const { app, status, probe } = view;
  const good = app.newestGood;
  if (ctx.windows.openFor(app.name).length > 0) return 'still recovering from a fault';
  if (!status || view.statusAt < since) return 'no status yet';
  if (status.state !== 'healthy') return `state ${status.state} (${status.error ?? 'no error'})`;
  if (status.commit !== good.sha) return `on commit ${status.commit?.slice(0, 7)}, newest good is ${good.sha.slice(0, 7)} (version ${good.version})`;
  // Past its probation the newest good commit must also be the one a later rollback returns to.
  if (status.lastGoodCommit !== good.sha) return `last good commit is ${status.lastGoodCommit?.slice(0, 7)}, not the newest good ${good.sha.slice(0, 7)}`;
  if (!probe || probe.at < since || !probe.ok) return `not serving (${probe?.error ?? 'no probe yet'})`;
  if (probe.version !== good.version || probe.greeting !== app.greeting) {
    return `serves version ${probe.version} greeting ${probe.greeting}, expected version ${good.version} greeting ${app.greeting}`;
  }
  return null;
}

/** `after` names the moment settling starts from, for the messages. */
export async function checkSettled(ctx: SoakContext, after: string): Promise<number | null> {
  const since = Date.now();
  const signal = ctx.aborted.signal;
  const settled = await waitUntil(() => [...ctx.views.values()].every((v) => unsettledBecause(ctx, v, since) === null), SETTLE_LIMIT_MS, signal, 200);
  if (signal.aborted) return null;
  if (!settled) {
    for (const view of ctx.views.values()) {
      const why = unsettledBecause(ctx, view, since);
      if (why) ctx.fail(view.app.name, `not healthy on the newest good commit ${SETTLE_LIMIT_MS / 1000} s after ${after}: ${why}`);
    }
    return null;
  }
  const took = Date.now() - since;
  ctx.log.add('check', null, `every app healthy on its newest good commit, ${formatSeconds(took).trim()} after ${after}`);
  return took;
}

function leftovers(ctx: SoakContext, onlyOrphans: boolean) {
  return scanProcesses(ctx.world.root, MARKER_VAR, ctx.world.marker).processes.filter((p) => !onlyOrphans || !p.ours);
}

export async function checkNoOrphanAtRest(ctx: SoakContext): Promise<void> {
  const signal = ctx.aborted.signal;
  await waitUntil(() => Date.now() > ctx.orphanGraceUntil, 30_000, signal);
  const orphans = leftovers(ctx, true);
  for (const proc of orphans) ctx.fail(proc.app, `orphan process after the apps settled: ${describeProcess(proc)}`);
  if (orphans.length === 0 && !signal.aborted) ctx.log.add('check', null, 'no orphan process once settled');
}

/** SIGTERM: the daemon must stop every app and exit 0, leaving nothing running. */
export async function checkCleanStop(ctx: SoakContext): Promise<void> {
  const daemon = ctx.daemon;
  if (!daemon || !daemon.running) {
    ctx.fail(null, 'no running daemon to stop at the end');
    return;
  }
  const stopStart = Date.now();
  daemon.terminate();
  ctx.log.add('check', null, `SIGTERM to the daemon, pid ${daemon.pid}`);
  const exit = await daemon.waitExit(STOP_LIMIT_MS);
  if (!exit) {
    ctx.fail(null, `the daemon did not exit within ${STOP_LIMIT_MS / 1000} s of SIGTERM`);
    return;
  }
  if (exit.code !== 0) ctx.fail(null, `the daemon exited with code ${exit.code}, signal ${exit.signal} after SIGTERM (expected 0)`);
  const left = await waitUntil(() => leftovers(ctx, false).length === 0, LEFTOVER_LIMIT_MS, new AbortController().signal);
  if (!left) {
    for (const proc of leftovers(ctx, false)) ctx.fail(proc.app, `still running after the daemon stopped: ${describeProcess(proc)}`);
    return;
  }
  ctx.log.add('check', null, `daemon exited 0 after SIGTERM in ${formatSeconds(Date.now() - stopStart).trim()}; nothing left running`);
}
