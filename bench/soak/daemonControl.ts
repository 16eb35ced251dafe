import { pause, type SoakContext } from './context.js';
import { DaemonProcess, type DaemonLine } from './daemonProcess.js';
import { formatSeconds } from './eventLog.js';
import { serverPids } from './procScan.js';
import { awaitRecovery } from './recovery.js';
import { arm } from './windows.js';

// Starting the daemon, and the daemon fault: kill -9, a pause, a new start. The new daemon must
// stop whatever the killed one left running before it answers (README: "an app never runs
// twice"), so orphans are tolerated only until shortly after it is ready.

const READY_LIMIT_MS = 30_000;
/** After the new daemon answers, processes of the killed one may take this long to be gone. */
const RECOVERY_GRACE_MS = 3000;

/** Daemon lines worth a place in the soak's event log: problems, rollbacks, recovery. */
function notable(line: DaemonLine): string | null {
  const level = typeof line.level === 'string' ? line.level : '';
  const event = typeof line.event === 'string' ? line.event : '';
  const reason = typeof line.reason === 'string' ? line.reason : '';
  const to = typeof line.to === 'string' ? line.to : '';
  if (line.raw !== undefined) return `(not JSON) ${line.raw}`;
  if (event === 'state') {
    const interesting = ['unhealthy', 'failed', 'stopped'].includes(to) || /ROLLBACK|GIVE_UP|KEEP_STOPPED/.test(reason);
    return interesting ? `${line.message ?? ''} (${reason})` : null;
  }
  if (level === 'warn' || level === 'error' || event === 'recovery' || event === 'rollback' || event === 'daemon') {
    return `${level}: ${line.message ?? JSON.stringify(line)}`;
  }
  return null;
}

/** Start a daemon and wait until it answers; any exit the soak did not cause fails the run. */
export async function startDaemon(ctx: SoakContext): Promise<DaemonProcess | null> {
  const daemon = new DaemonProcess(
    ctx.world,
    (line) => {
      const text = notable(line);
      if (text !== null) ctx.log.add('daemon', typeof line.app === 'string' ? line.app : null, text);
    },
    ctx.daemonLines,
  );
  ctx.daemon = daemon;
  ctx.daemonStarts++;
  void daemon.exited.then((exit) => {
    if (!exit.expected) {
      ctx.fail(null, `the daemon (pid ${daemon.pid}) exited on its own: code ${exit.code}, signal ${exit.signal}`);
    }
  });
  try {
    await daemon.ready(READY_LIMIT_MS);
  } catch (error) {
    ctx.fail(null, `daemon pid ${daemon.pid}: ${(error as Error).message}`);
    return null;
  }
  ctx.orphanGraceUntil = Date.now() + RECOVERY_GRACE_MS;
  ctx.log.add('setup', null, `daemon pid ${daemon.pid} ready in ${formatSeconds(Date.now() - daemon.startedAt).trim()}`);
  return daemon;
}

export function canKillDaemon(ctx: SoakContext): boolean {
  // --kill-in-hook 0 keeps daemon kills away from hanging hooks altogether (see options.ts).
  const hookHangs = [...ctx.views.values()].some((view) => view.busy === 'hang-hook');
  return ctx.daemonReady && !ctx.daemonBusy && Date.now() > ctx.orphanGraceUntil && (ctx.killInHook > 0 || !hookHangs);
}

export async function killAndRestartDaemon(ctx: SoakContext): Promise<void> {
  const daemon = ctx.daemon;
  if (!daemon) return;
  ctx.daemonBusy = true;
  const planned = [...ctx.views.values()].map((view) => ({ view, window: ctx.windows.open(view, 'kill -9 of the daemon') }));
  try {
    daemon.kill9();
    ctx.log.add('fault', null, `kill -9 of the daemon, pid ${daemon.pid}`);
    const exit = await daemon.waitExit(5000);
    if (!exit) {
      ctx.fail(null, `daemon pid ${daemon.pid} still alive 5 s after SIGKILL`);
      return;
    }
    // Only now, with the daemon dead, is the set of instances it left final.
    for (const { view, window } of planned) arm(window, serverPids(ctx.world, view.app.name));
    const downMs = ctx.prng.between(200, 3000);
    await pause(downMs, ctx.aborted.signal);
    if (ctx.aborted.signal.aborted) return;
    ctx.log.add('restore', null, `restarting the daemon after ${formatSeconds(downMs).trim()} down`);
    await startDaemon(ctx);
  } finally {
    ctx.daemonBusy = false;
  }
  await Promise.all(planned.map(({ view, window }) => awaitRecovery(ctx, view, window)));
}
