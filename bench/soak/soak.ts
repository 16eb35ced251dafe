// Chaos soak: `npm run soak -- --minutes N`. A real huddle daemon runs several apps (real git
// repositories, real processes, real sockets) while seeded random faults hit them: kill -9 of apps
// and of the daemon, an unreachable remote, good and bad pushes, hooks that hang, config files
// rewritten valid and invalid. Invariants are checked all along and at the end; any violation
// fails the run (exit 1) with the event log that led to it.
import { DEFAULT_TUNING } from './appConfig.js';
import { cleanUp, cleanUpSync } from './cleanup.js';
import { SoakContext } from './context.js';
import { startDaemon } from './daemonControl.js';
import { EventLog } from './eventLog.js';
import { checkCleanStop, checkNoOrphanAtRest, checkSettled } from './finalChecks.js';
import { monitorLoop, statusLoop, type MonitorStats } from './monitor.js';
import { parseOptions, USAGE, type SoakOptions } from './options.js';
import { pickPorts } from './ports.js';
import { Prng } from './prng.js';
import { emptyAvailability, probeLoop, type Availability } from './probes.js';
import { runFaults, type SchedulerStats } from './scheduler.js';
import { formatSummary, servedShare } from './summary.js';
import { arm, PlannedWindows } from './windows.js';
import { makeWorld } from './world.js';

const DAEMON_LOG_TAIL = 80;

function appNames(count: number): string[] {
  const names = ['web', 'api', 'worker', 'cache', 'search', 'mail'];
  return Array.from({ length: count }, (_, i) => names[i] ?? `app${i + 1}`);
}

async function soak(options: SoakOptions): Promise<number> {
  const prng = new Prng(options.seed);
  process.stdout.write(
    `huddle chaos soak: ${options.minutes} min of faults on ${options.apps} apps, seed ${options.seed}\n` +
      `replay: npm run soak -- --minutes ${options.minutes} --apps ${options.apps} --kill-in-hook ${options.killInHook} --seed ${options.seed}\n\n`,
  );
  const tuning = DEFAULT_TUNING;
  const names = appNames(options.apps);
  const world = await makeWorld(names, await pickPorts(names.length, prng), tuning);
  const log = new EventLog(true);
  const ctx = new SoakContext(world, log, prng, tuning, new PlannedWindows(), options.killInHook);
  log.add('setup', null, `temp dir ${world.root}; apps ${world.apps.map((a) => `${a.name} on :${a.port}`).join(', ')}`);

  let cleaned = false;
  let interrupted = false;
  process.on('exit', () => {
    if (!cleaned) cleanUpSync(ctx, options.keep);
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupted = true;
    log.add('check', null, `${signal}: stopping the soak and cleaning up`);
    ctx.aborted.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const loopsStop = new AbortController();
  const loopSignal = AbortSignal.any([loopsStop.signal, ctx.aborted.signal]);
  const monitorStats: MonitorStats = { samples: 0, stateFilesRead: 0, maxProcesses: 0 };
  const availability = new Map<string, Availability>(names.map((name) => [name, emptyAvailability()]));
  const loops = [
    monitorLoop(ctx, monitorStats, loopSignal),
    statusLoop(ctx, loopSignal),
    ...[...ctx.views.values()].map((view) => probeLoop(ctx, view, availability.get(view.app.name) ?? emptyAvailability(), loopSignal)),
  ];
  const schedulerStats: SchedulerStats = { skipped: 0 };
  let settleMs: number | null = null;
  try {
    for (const view of ctx.views.values()) arm(ctx.windows.open(view, 'the first start'), []);
    await startDaemon(ctx);
    if (!ctx.aborted.signal.aborted) await checkSettled(ctx, 'the first start');
    if (!ctx.aborted.signal.aborted) {
      log.add('setup', null, `injecting faults for ${options.minutes} min`);
      await runFaults(ctx, Date.now() + options.minutes * 60_000, schedulerStats);
    }
    if (!ctx.aborted.signal.aborted) {
      log.add('check', null, 'faults over: waiting for every app to settle');
      settleMs = await checkSettled(ctx, 'the last fault');
    }
    if (!ctx.aborted.signal.aborted) await checkNoOrphanAtRest(ctx);
    for (const [app, stats] of availability) {
      const share = servedShare(stats);
      if (!ctx.aborted.signal.aborted && share < options.minServed) {
        ctx.fail(app, `served ${(share * 100).toFixed(2)}% of the time outside planned windows, less than ${(options.minServed * 100).toFixed(2)}%`);
      }
    }
    loopsStop.abort();
    await Promise.all(loops);
    if (!ctx.aborted.signal.aborted) await checkCleanStop(ctx);
  } catch (error) {
    ctx.fail(null, `the soak itself failed: ${(error as Error).stack ?? String(error)}`);
  } finally {
    loopsStop.abort();
    await Promise.all(loops);
  }

  process.stdout.write(`${formatSummary(ctx, schedulerStats, availability, monitorStats, settleMs, interrupted)}\n`);
  if (ctx.failed && !interrupted) {
    process.stdout.write(`\n== event log that led to the violation ==\n${log.format()}\n`);
    process.stdout.write(`\n== last ${DAEMON_LOG_TAIL} daemon log lines ==\n${ctx.daemonLines.slice(-DAEMON_LOG_TAIL).join('\n')}\n`);
  }
  await cleanUp(ctx, options.keep);
  cleaned = true;
  if (interrupted) return 130;
  return ctx.failed ? 1 : 0;
}

let options: SoakOptions | 'help';
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
if (options === 'help') {
  process.stdout.write(`${USAGE}\n`);
} else {
  process.exitCode = await soak(options);
}
