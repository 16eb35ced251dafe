import { spawn } from 'node:child_process';
import { envAs, spawnAs, type RunAs } from '../process/account.js';
import { noteGitKilled } from './checkoutLocks.js';
import { GitError, classifyGitFailure, gitErrorSummary } from './gitError.js';
import { credentialsOutOfArgs } from './urlCredentials.js';

export interface GitRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunGitOptions {
  cwd?: string;
  timeoutMs: number;
  env?: Record<string, string>;
  runAs?: RunAs;
}

// git must never wait for a human: no terminal prompt, no askpass program, ssh in batch mode.
// The child also runs in a new session (detached), so neither git nor ssh has a controlling
// terminal to open /dev/tty on, even when the daemon was started from a shell.
export function gitEnv(extra?: Record<string, string>): NodeJS.ProcessEnv {
  const sshCommand = process.env.GIT_SSH_COMMAND ?? (process.env.GIT_SSH ? undefined : 'ssh');
  return {
    ...process.env,
    GIT_TERMINAL_PROMPT: '0',
    // Empty (not unset) so git skips core.askPass and SSH_ASKPASS and fails instead.
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
    GCM_INTERACTIVE: 'never',
    ...(sshCommand ? { GIT_SSH_COMMAND: `${sshCommand} -o BatchMode=yes` } : {}),
    GIT_PAGER: 'cat',
    GIT_EDITOR: 'true',
    // Messages are classified by their text.
    LC_ALL: 'C',
    LANGUAGE: '',
    ...extra,
  };
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/**
 * Run git and collect its output. Resolves with the exit code (non-zero included); rejects only
 * with a GitError of kind `timeout` (the whole process group — git, ssh, remote helpers — is
 * killed) or `unknown` (git could not be started).
 */
export function runGitRaw(executable: string, args: readonly string[], opts: RunGitOptions): Promise<GitRun> {
  const hidden = credentialsOutOfArgs(args, { ...process.env, ...opts.env });
  return new Promise((resolve, reject) => {
    const child = spawn(executable, hidden.args, {
      cwd: opts.cwd,
      env: gitEnv({ ...opts.env, ...hidden.env, ...envAs(opts.runAs) }),
      ...spawnAs(opts.runAs),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      windowsHide: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    let timedOut = false;
    let settled = false;
    let closeGuard: NodeJS.Timeout | undefined;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(closeGuard);
      fn();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) killGroup(child.pid);
      // A git killed while it held index.lock leaves it: the next checkout may take it as stale.
      if (opts.cwd !== undefined) noteGitKilled(opts.cwd);
      // A process outside the group could still hold the pipes open; do not wait for it forever.
      closeGuard = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        settle(() => reject(timeoutError(args, opts.timeoutMs)));
      }, 2000);
    }, opts.timeoutMs);
    child.on('error', (e: NodeJS.ErrnoException) => {
      settle(() =>
        reject(
          new GitError(
            'unknown',
            e.code === 'ENOENT'
              ? `git executable not found: ${executable}${opts.cwd ? ` (or missing directory ${opts.cwd})` : ''}`
              : `cannot run ${executable}: ${e.message}`,
          ),
        ),
      );
    });
    child.on('close', (code) => {
      settle(() => {
        if (timedOut) {
          reject(timeoutError(args, opts.timeoutMs));
          return;
        }
        resolve({
          code: code ?? -1,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        });
      });
    });
  });
}

function timeoutError(args: readonly string[], timeoutMs: number): GitError {
  return new GitError('timeout', `git ${subcommand(args)} did not finish within ${timeoutMs} ms and was killed`);
}

/** Like runGitRaw, but a non-zero exit is a classified GitError. */
export async function runGit(executable: string, args: readonly string[], opts: RunGitOptions): Promise<GitRun> {
  const run = await runGitRaw(executable, args, opts);
  if (run.code !== 0) throw failure(args, run);
  return run;
}

export function failure(args: readonly string[], run: GitRun): GitError {
  return new GitError(
    classifyGitFailure(run.stderr),
    `git ${subcommand(args)} failed (exit ${run.code}): ${gitErrorSummary(run.stderr) || 'no message'}`,
    { exitCode: run.code, stderr: run.stderr },
  );
}

/** The git command's name in `args`, skipping global options such as `-c key=value`. */
export function subcommand(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '-c' || arg === '-C') {
      i++;
      continue;
    }
    if (!arg.startsWith('-')) return arg;
  }
  return '';
}
