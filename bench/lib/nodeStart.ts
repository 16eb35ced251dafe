import { execFile } from 'node:child_process';

/**
 * How long `node -e 0` takes here, spawn to exit, in this environment: the floor under any
 * command written in Node (`huddle poll`), to tell huddle's share from Node's own start.
 */
export async function nodeStartMs(runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      execFile(process.execPath, ['-e', '0'], { timeout: 10_000 }, (error) => (error ? reject(error) : resolve()));
    });
    times.push(performance.now() - started);
  }
  return times;
}
