import { spawn, type ChildProcess, type ChildProcessByStdio, type SpawnOptionsWithStdioTuple, type StdioNull, type StdioPipe } from 'node:child_process';
import type { Readable } from 'node:stream';
import { envAs, spawnAs, type RunAs } from './account.js';
import { randomUUID } from 'node:crypto';
import { statSync, type Stats } from 'node:fs';
import { processStartTime } from './procInfo.js';
import type { ProcessExit } from './processExit.js';
import { currentCgroupDir } from './cgroup.js';
import { collectTree, PROCESS_TAG_VAR, signalTree, trackLiveRoot } from './processTree.js';
import type { TreeTarget } from './processTree.js';
import { RotatingLog } from './rotatingLog.js';
import { directArgv, shellPwd } from './directCommand.js';
import { shellCommandLine } from './shellCommand.js';
import { terminateTree } from './terminateTree.js';

export interface AppProcessSpec {
  app: string;
  /** A shell command line: run as the program itself when the shell would change nothing (directCommand), else through `/bin/sh -c`. */
  command: string;
  cwd: string;
  /** The complete environment of the app (the caller merges process.env in if it wants it). */
  env: Record<string, string>;
  /** stdout and stderr both go here, rotated by size. */
  logFile: string;
  stopSignal: NodeJS.Signals;
  stopTimeoutMs: number;
  logMaxBytes?: number;
  /** Rotated generations kept (file.1 … file.N). */
  logFiles?: number;
  /** Run as this account instead of the daemon's (the daemon must be root). */
  runAs?: RunAs;
}

export interface AppProcess {
  readonly app: string;
  readonly pid: number;
  /** Start time in clock ticks since boot (processStartTime): record it with the PID. */
  readonly startTime: number;
  /** Value of HUDDLE_PROCESS_TAG in the app's environment, inherited by everything it starts. */
  readonly tag: string;
  /**
   * Resolves (never rejects) once the app's shell has exited AND nothing of its tree is left:
   * leftovers of an app that died on its own are stopped too (stop signal, stop timeout, kill),
   * so a restart never runs beside a stray grandchild still holding the port.
   */
  readonly exited: Promise<ProcessExit>;
  /** Stop signal to the group and tree, wait stopTimeoutMs, then SIGKILL everything. Idempotent. */
  stop(): Promise<ProcessExit>;
  /** SIGKILL the group and tree now, synchronously (shutdown paths that cannot wait). */
  kill(): void;
}

export class ProcessStartError extends Error {
  override readonly name = 'ProcessStartError';
}

const PIPE_DRAIN_MS = 1000;

/** The working directory's stat (the PWD given to a directly started program is checked against it). */
function assertDirectory(app: string, cwd: string): Stats {
  let stat: Stats | undefined;
  try {
    stat = statSync(cwd);
  } catch {
    stat = undefined;
  }
  if (!stat?.isDirectory()) throw new ProcessStartError(`${app}: working directory ${cwd} does not exist`);
  return stat;
}

type AppChild = ChildProcessByStdio<null, Readable, Readable>;

/** The app's program itself when its command needs no shell (see directCommand), else `/bin/sh -c`. */
function spawnApp(spec: AppProcessSpec, cwdStat: Stats, env: Record<string, string>): AppChild {
  const options: SpawnOptionsWithStdioTuple<StdioNull, StdioPipe, StdioPipe> = {
    cwd: spec.cwd, env, ...spawnAs(spec.runAs), stdio: ['ignore', 'pipe', 'pipe'], detached: true, windowsHide: true,
  };
  const argv = directArgv(spec.command, env);
  if (argv) {
    try {
      const direct = quiet(spawn(argv[0] ?? '', argv.slice(1), { ...options, env: { ...env, PWD: shellPwd(spec.cwd, env.PWD, cwdStat) } }));
      if (direct.pid !== undefined) return direct;
      direct.stdout.destroy();
      direct.stderr.destroy();
    } catch {
      // Refused outright (E2BIG, a bad uid…): the shell gets the same chance as before.
    }
    // Not found, not executable: the shell says so in the app's log and exits 127 or 126.
  }
  return quiet(spawn('/bin/sh', ['-c', shellCommandLine(spec.command)], options));
}

/** Spawn failures arrive as an 'error' event; one without a listener would crash the daemon. */
function quiet<T extends ChildProcess>(child: T): T {
  child.on('error', () => undefined);
  return child;
}

/**
 * Start an app in a process group of its own (detached: it outlives nothing by accident, and
 * a signal to the group reaches the shell, the app and whatever they started).
 * Throws ProcessStartError when the app cannot be started at all (missing cwd, log not writable).
 */
export function startAppProcess(spec: AppProcessSpec): AppProcess {
  const cwdStat = assertDirectory(spec.app, spec.cwd);
  let log: RotatingLog;
  try {
    log = new RotatingLog(spec.logFile, spec.logMaxBytes, spec.logFiles);
  } catch (e) {
    throw new ProcessStartError(`${spec.app}: cannot open log file ${spec.logFile}: ${(e as Error).message}`);
  }
  const tag = randomUUID();
  // Read before the fork: the child starts in the cgroup the daemon has at that moment.
  const cgroup = currentCgroupDir();
  const child = spawnApp(spec, cwdStat, { ...spec.env, ...envAs(spec.runAs), [PROCESS_TAG_VAR]: tag });
  const pid = child.pid;
  if (pid === undefined) {
    log.close();
    throw new ProcessStartError(`${spec.app}: could not start /bin/sh in ${spec.cwd}`);
  }
  const startTime = processStartTime(pid) ?? 0;
  const target: TreeTarget = { pid, startTime, tag, trustGroup: true, ...(cgroup === undefined ? {} : { cgroup }) };
  const untrack = trackLiveRoot(pid, startTime);

  // Flowing mode: output is taken as fast as the app writes it.
  child.stdout.on('data', (chunk: Buffer) => log.write(chunk));
  child.stderr.on('data', (chunk: Buffer) => log.write(chunk));
  child.stdout.on('error', () => undefined);
  child.stderr.on('error', () => undefined);

  const rootExited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      untrack();
      resolve({ code, signal });
    });
  });
  const pipesClosed = new Promise<void>((resolve) => child.once('close', () => resolve()));

  // One termination per process, shared by stop() and the cleanup after an exit of its own.
  // Best effort: `exited` resolves whatever happens here, and nothing may reject unhandled.
  let terminating: Promise<unknown> | undefined;
  const terminate = (): Promise<unknown> =>
    (terminating ??= terminateTree(target, {
      signal: spec.stopSignal,
      graceMs: spec.stopTimeoutMs,
      rootExited,
    }).catch(() => undefined));

  // Once `exited` resolved nothing of the tree is left, so a kill has nothing to look for.
  let finished = false;
  const exited = (async (): Promise<ProcessExit> => {
    const exit = await rootExited;
    await terminate();
    // Every writer is gone, so the pipes close at once; a process that escaped the tree
    // entirely could hold them forever, so do not wait for it.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([pipesClosed, new Promise<void>((r) => (timer = setTimeout(r, PIPE_DRAIN_MS)))]);
    clearTimeout(timer);
    child.stdout.destroy();
    child.stderr.destroy();
    log.close();
    finished = true;
    return exit;
  })();

  return {
    app: spec.app,
    pid,
    startTime,
    tag,
    exited,
    stop(): Promise<ProcessExit> {
      void terminate();
      return exited;
    },
    kill(): void {
      if (finished) return;
      signalTree(target, collectTree(target), 'SIGKILL');
    },
  };
}
