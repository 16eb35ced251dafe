import { execFile } from 'node:child_process';

/**
 * How long `node -e 0` takes here, spawn to exit, in `env`: the floor under any command written
 * in Node (`huddle poll`), to tell huddle's share from Node's own start.
 */
export async function nodeStartMs(runs: number, env: NodeJS.ProcessEnv = process.env): Promise<number[]> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      execFile(process.execPath, ['-e', '0'], { env, timeout: 10_000 }, (error) => (error ? reject(error) : resolve()));
    });
    times.push(performance.now() - started);
  }
  return times;
}

/** This environment without NODE_EXTRA_CA_CERTS, as bin/huddle starts the socket-only commands. */
export function withoutExtraCaCerts(): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _dropped, ...rest } = process.env;
  return rest;
}
