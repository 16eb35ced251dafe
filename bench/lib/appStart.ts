import { spawn } from 'node:child_process';
import { makeTempDir, MARKER, MARKER_VAR } from './cleanup.js';
import { writeAppFiles } from './gitRepo.js';
import { freePort } from './ports.js';
import { probeUntil } from './probe.js';
import { pythonExecutable } from './python.js';

/**
 * How long the bench app takes from spawn to its first answer on this machine, without huddle:
 * the floor under any downtime, to tell huddle's share from the app's.
 */
export async function appStartMs(runs: number): Promise<number[]> {
  const dir = await makeTempDir('hba-');
  await writeAppFiles(dir, '1');
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const port = await freePort();
    const started = performance.now();
    const child = spawn(pythonExecutable(), ['app.py'], { cwd: dir, env: { ...process.env, PORT: String(port), [MARKER_VAR]: MARKER }, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const attempts = await probeUntil(port, { intervalMs: 1, timeoutMs: 10_000, until: (so) => so.at(-1)!.outcome.kind === 'answer', what: 'the app to answer' });
      times.push(attempts.at(-1)!.endedAt - started);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  }
  return times;
}
