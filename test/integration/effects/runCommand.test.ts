import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandError, runCommand } from '../../../src/process/index.js';
import { appPath } from '../../fixtures/apps/paths.js';
import { pidAlive } from '../../fixtures/apps/processes.js';
import { makeTempDir, removeTempDirs } from '../../fixtures/git/tempDirs.js';
import { waitFor } from '../../fixtures/git/waitFor.js';
import { baseEnv, cleanupProcesses, trackPid } from './processHelpers.js';

afterEach(async () => {
  await cleanupProcesses();
  await removeTempDirs();
});

async function commandError(p: Promise<unknown>): Promise<CommandError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CommandError);
  return e as CommandError;
}

function pidsIn(file: string): { parent: number; grandchild: number } {
  return JSON.parse(readFileSync(file, 'utf8')) as { parent: number; grandchild: number };
}

describe('runCommand (hooks and install steps)', () => {
  it('resolves with the output of a successful command and appends it to the log', async () => {
    const dir = await makeTempDir();
    const logFile = join(dir, 'hooks.log');
    const result = await runCommand('echo installing in "$PWD"; echo warning >&2', {
      cwd: dir,
      env: baseEnv(),
      timeoutMs: 10_000,
      logFile,
    });
    expect(result.code).toBe(0);
    expect(result.output).toContain(`installing in ${dir}`);
    expect(result.output).toContain('warning');
    expect(readFileSync(logFile, 'utf8')).toContain('warning');
  });

  it('rejects a failing command with its exit code and last lines, secrets redacted', async () => {
    const dir = await makeTempDir();
    const error = await commandError(
      runCommand('for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25; do echo "line $i"; done; echo "token $API_TOKEN" >&2; exit 2', {
        cwd: dir,
        env: baseEnv({ API_TOKEN: 'sup3r-s3cret' }),
        timeoutMs: 10_000,
      }),
    );
    expect(error.failure).toBe('exit');
    expect(error.code).toBe(2);
    expect(error.message).toContain('exit code 2');
    expect(error.outputTail).toContain('line 25');
    expect(error.outputTail).not.toContain('line 5\n');
    expect(error.outputTail).toContain('token ***');
    expect(error.message).not.toContain('sup3r-s3cret');
  });

  it('kills the whole tree of a command that runs past its timeout', async () => {
    const dir = await makeTempDir();
    const pidFile = join(dir, 'pids.json');
    const started = Date.now();
    const error = await commandError(
      runCommand(`node ${appPath('spawn-grandchild.mjs')}`, {
        cwd: dir,
        env: baseEnv({ PID_FILE: pidFile, PARENT_IGNORES_SIGTERM: '1' }),
        timeoutMs: 500,
        killGraceMs: 200,
      }),
    );
    expect(error.failure).toBe('timeout');
    expect(error.message).toContain('timed out after 500 ms');
    expect(Date.now() - started).toBeLessThan(5000);
    const pids = pidsIn(pidFile);
    trackPid(pids.parent);
    trackPid(pids.grandchild);
    expect(pidAlive(pids.parent)).toBe(false);
    expect(pidAlive(pids.grandchild)).toBe(false);
  });

  it('an abort (update cancelled by STOP or SHUTDOWN) kills the whole tree at once', async () => {
    const dir = await makeTempDir();
    const pidFile = join(dir, 'pids.json');
    const abort = new AbortController();
    const running = runCommand(`node ${appPath('spawn-grandchild.mjs')}`, {
      cwd: dir,
      env: baseEnv({ PID_FILE: pidFile }),
      timeoutMs: 60_000,
      killGraceMs: 200,
      signal: abort.signal,
    });
    const started = Date.now();
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').length > 0, { timeoutMs: 5000 });
    abort.abort();
    const error = await commandError(running);
    expect(error.failure).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(5000);
    const pids = pidsIn(pidFile);
    trackPid(pids.parent);
    trackPid(pids.grandchild);
    expect(pidAlive(pids.parent)).toBe(false);
    expect(pidAlive(pids.grandchild)).toBe(false);
  });

  it('stops what a successful command left running in the background', async () => {
    const dir = await makeTempDir();
    const pidFile = join(dir, 'pid');
    await runCommand(`node ${appPath('ignore-sigterm.mjs')} & while [ ! -s pid ]; do sleep 0.02; done; echo started`, {
      cwd: dir,
      env: baseEnv({ PID_FILE: pidFile }),
      timeoutMs: 10_000,
      killGraceMs: 200,
    });
    const stray = Number(readFileSync(pidFile, 'utf8'));
    trackPid(stray);
    expect(pidAlive(stray)).toBe(false);
  });

  it('a missing working directory is a spawn failure, not a crash', async () => {
    const dir = await makeTempDir();
    const error = await commandError(runCommand('true', { cwd: join(dir, 'missing'), env: baseEnv(), timeoutMs: 1000 }));
    expect(error.failure).toBe('spawn');
    expect(error.message).toContain('missing');
  });
});
