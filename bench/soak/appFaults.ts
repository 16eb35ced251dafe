import { readFileSync } from 'node:fs';
import type { CommitMode } from './appSource.js';
import { pause, waitUntil, type AppView, type SoakContext } from './context.js';
import { canKillDaemon, killAndRestartDaemon } from './daemonControl.js';
import { scanProcesses, serverPids, type SoakProcess } from './procScan.js';
import { awaitRecovery } from './recovery.js';
import { arm } from './windows.js';
import { invalidConfigText, makeRemoteUnreachable, MARKER_VAR, pushCommit, restoreRemote, writeConfig, writeRawConfig } from './world.js';

// Faults against one app. Each runs while the app is marked busy (one app fault at a time per app)
// and, when it plans an outage, waits for the app to recover (see recovery.ts).

export type AppFaultKind = 'kill-app' | 'remote-away' | 'push-good' | 'push-bad' | 'hang-hook' | 'config-valid' | 'config-invalid';

function isOnNewestGood(view: AppView): boolean {
  const persisted = view.persisted;
  const sha = view.app.newestGood.sha;
  return persisted?.lastGoodCommit === sha && persisted.currentCommit === sha;
}

/** Kills within the restart window stay below the budget, so a kill never makes huddle give up. */
function killsLeft(ctx: SoakContext, view: AppView): boolean {
  const since = Date.now() - (ctx.tuning.restartWindow + 10) * 1000;
  // Headroom of three for restarts the soak did not cause (a health check timing out under load).
  return view.kills.filter((t) => t > since).length < Math.max(1, ctx.tuning.restartLimit - 3);
}

function isServerPid(ctx: SoakContext, pid: number, app: string): boolean {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, 'latin1');
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return env.includes(`HUDDLE_APP=${app}\0`) && env.includes(ctx.world.marker) && argv.includes('server.mjs');
  } catch {
    return false;
  }
}

export function canRun(ctx: SoakContext, kind: AppFaultKind, view: AppView): boolean {
  if (view.busy !== null) return false;
  const { app } = view;
  switch (kind) {
    case 'kill-app':
      // Not during probation: a crash then is indistinguishable from a bad commit and rolls back.
      return (
        ctx.daemonReady &&
        !ctx.daemonBusy &&
        view.status?.state === 'healthy' &&
        view.status.pid !== null &&
        isOnNewestGood(view) &&
        killsLeft(ctx, view)
      );
    case 'remote-away':
    case 'push-good':
      return app.remoteReachable;
    case 'config-valid':
    case 'config-invalid':
      return true;
    case 'push-bad':
    case 'hang-hook':
      // On top of a confirmed good commit only: the rollback must land on the newest good one.
      return app.remoteReachable && isOnNewestGood(view);
  }
}

export async function runAppFault(ctx: SoakContext, kind: AppFaultKind, view: AppView): Promise<void> {
  const { app } = view;
  const signal = ctx.aborted.signal;
  switch (kind) {
    case 'kill-app': {
      const pid = view.status?.pid ?? null;
      if (pid === null || !isServerPid(ctx, pid, app.name)) {
        ctx.log.add('fault', app.name, `kill-app skipped: pid ${pid} is not the app's server`);
        return;
      }
      const window = ctx.windows.open(view, 'kill -9 of the app');
      arm(window, [pid, ...serverPids(ctx.world, app.name)]);
      view.kills.push(Date.now());
      try {
        process.kill(pid, 'SIGKILL');
        ctx.log.add('fault', app.name, `kill -9 of the app, pid ${pid}`);
      } catch {
        ctx.log.add('fault', app.name, `kill -9 of the app: pid ${pid} was already gone`);
      }
      return awaitRecovery(ctx, view, window);
    }
    case 'remote-away': {
      const seconds = ctx.prng.between(2, 8);
      await makeRemoteUnreachable(app);
      ctx.log.add('fault', app.name, `remote unreachable for ${seconds.toFixed(1)} s (bare repository renamed away)`);
      try {
        await pause(seconds * 1000, signal);
      } finally {
        await restoreRemote(app);
        ctx.log.add('restore', app.name, 'remote reachable again');
      }
      return;
    }
    case 'push-good':
      return pushAndRecover(ctx, view, 'good');
    case 'push-bad':
      return pushAndRecover(ctx, view, ctx.prng.pick<CommitMode>(['crash', 'unhealthy']));
    case 'hang-hook':
      return pushAndRecover(ctx, view, ctx.prng.pick<CommitMode>(['hang-hook', 'hang-install']));
    case 'config-valid': {
      const window = ctx.windows.open(view, 'config rewritten (valid)');
      arm(window, serverPids(ctx.world, app.name));
      const greeting = `hello-${app.commits.length}-${Math.floor(ctx.prng.between(0, 1e6))}`;
      app.greeting = greeting;
      await writeConfig(app, ctx.tuning);
      ctx.log.add('fault', app.name, `config rewritten, valid: GREETING=${greeting}`);
      return awaitRecovery(ctx, view, window);
    }
    case 'config-invalid':
      return invalidConfig(ctx, view);
  }
}

/** The hook of `app` that hangs (its `sleep`), once it runs. */
function hangingHook(ctx: SoakContext, app: string): SoakProcess | undefined {
  return scanProcesses(ctx.world.root, MARKER_VAR, ctx.world.marker).processes.find((p) => p.app === app && p.argv[0] === 'sleep');
}

async function pushAndRecover(ctx: SoakContext, view: AppView, mode: CommitMode): Promise<void> {
  const { app } = view;
  // Opened before the push: the old instance must go (an update stops it) before it closes.
  const window = ctx.windows.open(view, `push of a ${mode} commit`);
  arm(window, serverPids(ctx.world, app.name));
  const commit = await pushCommit(app, mode);
  if (mode !== 'good') window.badCommit = commit.sha;
  ctx.log.add('fault', app.name, `pushed ${mode} commit ${commit.sha.slice(0, 7)} (version ${commit.version})`);
  // A daemon killed while a hook runs is the riskiest moment for orphans: aimed at on purpose.
  if (mode.startsWith('hang-') && ctx.prng.next() < ctx.killInHook) {
    const hook = await waitUntil(() => hangingHook(ctx, app.name), 10_000, ctx.aborted.signal);
    if (hook && canKillDaemon(ctx)) {
      ctx.log.add('fault', app.name, `its hook hangs (pid ${hook.pid}, ${hook.argv.join(' ')}): the daemon is killed meanwhile`);
      ctx.countFault('kill-daemon-in-hook', '*');
      await killAndRestartDaemon(ctx);
    }
  }
  await awaitRecovery(ctx, view, window);
}

/**
 * A broken config file must leave the running app alone: the same instance keeps running (its
 * serving counts in the served share like any time outside planned windows).
 */
async function invalidConfig(ctx: SoakContext, view: AppView): Promise<void> {
  const { app } = view;
  const kind = ctx.prng.pick(['syntax', 'schema'] as const);
  const seconds = ctx.prng.between(2, 6);
  const before = serverPids(ctx.world, app.name).sort().join(' ');
  const daemonStarts = ctx.daemonStarts;
  const startedAt = Date.now();
  await writeRawConfig(app, invalidConfigText(app, ctx.tuning, kind));
  ctx.log.add('fault', app.name, `config rewritten, invalid (${kind}) for ${seconds.toFixed(1)} s`);
  try {
    await pause(seconds * 1000, ctx.aborted.signal);
    // A planned change at any moment of the fault ends the instance whatever the config says: one
    // that began during it, and one already under way when it began (a daemon restarting, which
    // replaces every instance the killed daemon left).
    const undisturbed = ctx.daemonStarts === daemonStarts && !ctx.windows.plannedDuring(app.name, startedAt, Date.now());
    const after = serverPids(ctx.world, app.name).sort().join(' ');
    if (undisturbed && before !== '' && after !== before && !ctx.aborted.signal.aborted) {
      ctx.fail(app.name, `the app did not keep running while its config was invalid: server pid ${before} before, now ${after || 'none'}`);
    }
  } finally {
    await writeConfig(app, ctx.tuning);
    ctx.log.add('restore', app.name, 'config valid again (unchanged from before)');
  }
}
