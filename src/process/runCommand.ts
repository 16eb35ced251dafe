import { spawn } from 'node:child_process';
import { envAs, spawnAs, type RunAs } from './account.js';
import { randomUUID } from 'node:crypto';
import { redact, secretValues } from '../util/redact.js';
import { CommandError } from './commandError.js';
import type { CommandFailure } from './commandError.js';
import { lastLines, OutputBuffer } from './outputBuffer.js';
import { processStartTime } from './procInfo.js';
import { currentCgroupDir } from './cgroup.js';
import { PROCESS_TAG_VAR, trackLiveRoot, type TreeTarget } from './processTree.js';
import { RotatingLog } from './rotatingLog.js';
import { shellCommandLine } from './shellCommand.js';
import { terminateTree } from './terminateTree.js';

export interface RunCommandOptions {
  cwd: string;
  /** The complete environment (the caller merges process.env in if it wants it). */
  env: Record<string, string>;
  timeoutMs: number;
  /** Also append the output here (rotated like an app log). */
  logFile?: string;
  /** Sent to the tree on timeout before SIGKILL; SIGTERM by default. */
  killSignal?: NodeJS.Signals;
  /** Between killSignal and SIGKILL; 2000 ms by default. */
  killGraceMs?: number;
  /** Aborting stops the whole tree like a timeout does (an app stopped or shut down mid-update). */
  signal?: AbortSignal;
  /** Run as this account instead of the daemon's (the daemon must be root). */
  runAs?: RunAs;
  /**
   * Told the command's root process once it runs, so the caller can record it: a daemon killed
   * while a hook runs leaves the hook behind, and the next one must find and stop it.
   */
  onStarted?: (proc: { pid: number; startTime: number; tag: string }) => void;
}

export interface CommandResult {
  code: number;
  /** stdout and stderr interleaved, the last MiB at most, secrets redacted. */
  output: string;
}

const PIPE_DRAIN_MS = 1000;

/**
 * Run a hook or install step through `/bin/sh -c` in its own process group. Resolves when it
 * exits 0; rejects with a CommandError on a non-zero exit, a signal, a timeout (the whole tree
 * is stopped) or a failure to start. Processes it leaves behind in the background are stopped
 * too: huddle supervises the app, not strays of its hooks.
 */
export function runCommand(command: string, options: RunCommandOptions): Promise<CommandResult> {
  const secrets = secretValues(options.env);
  const shown = redact(command, secrets);
  const killSignal = options.killSignal ?? 'SIGTERM';
  const graceMs = options.killGraceMs ?? 2000;

  return new Promise((resolve, reject) => {
    let log: RotatingLog | undefined;
    try {
      if (options.logFile) log = new RotatingLog(options.logFile);
    } catch (e) {
      reject(failed('spawn', `cannot open log file ${options.logFile}: ${(e as Error).message}`));
      return;
    }
    const output = new OutputBuffer();
    const tag = randomUUID();
    const cgroup = currentCgroupDir();
    const child = spawn('/bin/sh', ['-c', shellCommandLine(command)], {
      cwd: options.cwd,
      env: { ...options.env, ...envAs(options.runAs), [PROCESS_TAG_VAR]: tag },
      ...spawnAs(options.runAs),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      windowsHide: true,
    });
    let spawnError: NodeJS.ErrnoException | undefined;
    child.on('error', (e: NodeJS.ErrnoException) => {
      spawnError = e;
    });
    const pid = child.pid;
    if (pid === undefined) {
      log?.close();
      // The error event comes on the next tick; wait for it so the message can say why.
      setImmediate(() => {
        const why = spawnError?.code === 'ENOENT' ? `working directory ${options.cwd} does not exist` : spawnError?.message;
        reject(failed('spawn', `cannot start command: ${why ?? 'unknown error'}`));
      });
      return;
    }
    const target: TreeTarget = { pid, startTime: processStartTime(pid) ?? 0, tag, trustGroup: true, ...(cgroup === undefined ? {} : { cgroup }) };
    const untrack = trackLiveRoot(pid, target.startTime);
    options.onStarted?.({ pid, startTime: target.startTime, tag });
    const onData = (chunk: Buffer): void => {
      output.push(chunk);
      log?.write(chunk);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.stdout.on('error', () => undefined);
    child.stderr.on('error', () => undefined);

    const rootExited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      child.once('exit', (code, signal) => {
        untrack();
        r({ code, signal });
      }),
    );
    const pipesClosed = new Promise<void>((r) => child.once('close', () => r()));
    let timedOut = false;
    let stopping: Promise<unknown> | undefined;
    const stopTree = (): Promise<unknown> =>
      (stopping ??= terminateTree(target, { signal: killSignal, graceMs, rootExited }).catch(() => undefined));
    const timer = setTimeout(() => {
      timedOut = true;
      void stopTree();
    }, options.timeoutMs);
    let aborted = false;
    const onAbort = (): void => {
      aborted = true;
      void stopTree();
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });

    void (async () => {
      const exit = await rootExited;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      await stopTree();
      let drain: NodeJS.Timeout | undefined;
      await Promise.race([pipesClosed, new Promise<void>((r) => (drain = setTimeout(r, PIPE_DRAIN_MS)))]);
      clearTimeout(drain);
      child.stdout.destroy();
      child.stderr.destroy();
      log?.close();
      const text = redact(output.text(), secrets);
      if (aborted) {
        reject(failed('aborted', 'command was stopped: its update was cancelled', exit, text));
      } else if (timedOut) {
        reject(failed('timeout', `command timed out after ${options.timeoutMs} ms and was killed`, exit, text));
      } else if (exit.code === 0) {
        resolve({ code: 0, output: text });
      } else if (exit.code !== null) {
        reject(failed('exit', `command failed with exit code ${exit.code}`, exit, text));
      } else {
        reject(failed('signal', `command was killed by ${exit.signal ?? 'a signal'}`, exit, text));
      }
    })();
  });

  function failed(
    failure: CommandFailure,
    what: string,
    exit: { code: number | null; signal: string | null } = { code: null, signal: null },
    text = '',
  ): CommandError {
    return new CommandError(`${what}: ${shown} (in ${options.cwd})`, {
      failure,
      command: shown,
      code: exit.code,
      signal: exit.signal,
      outputTail: lastLines(text),
    });
  }
}
