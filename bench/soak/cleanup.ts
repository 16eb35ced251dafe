import { rmSync } from 'node:fs';
import type { SoakContext } from './context.js';
import { scanProcesses } from './procScan.js';
import { MARKER_VAR, type World } from './world.js';

// Whatever happened (pass, violation, Ctrl-C, a crash of the soak itself): the daemon and every
// process of the soak's world are killed by PID, and the temp dir is removed. Only processes that
// carry this run's marker or run under its temp dir are touched.

function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function worldProcesses(world: World): number[] {
  return scanProcesses(world.root, MARKER_VAR, world.marker).processes.map((p) => p.pid);
}

export async function cleanUp(ctx: SoakContext, keep: boolean): Promise<void> {
  const daemon = ctx.daemon;
  if (daemon?.running) {
    daemon.terminate();
    if (!(await daemon.waitExit(15_000))) daemon.kill9();
    await daemon.waitExit(5000);
  }
  const deadline = Date.now() + 10_000;
  for (let pids = worldProcesses(ctx.world); pids.length > 0 && Date.now() < deadline; pids = worldProcesses(ctx.world)) {
    pids.forEach(killPid);
    await new Promise((r) => setTimeout(r, 100));
  }
  const left = worldProcesses(ctx.world);
  if (left.length > 0) process.stderr.write(`soak cleanup: could not kill pids ${left.join(' ')}\n`);
  if (keep) process.stdout.write(`kept ${ctx.world.root} (--keep)\n`);
  else rmSync(ctx.world.root, { recursive: true, force: true });
}

/** Last resort on process exit (nothing asynchronous runs there). */
export function cleanUpSync(ctx: SoakContext, keep: boolean): void {
  if (ctx.daemon?.running) killPid(ctx.daemon.pid);
  worldProcesses(ctx.world).forEach(killPid);
  if (!keep) rmSync(ctx.world.root, { recursive: true, force: true });
}
