// A single-member etcd on free loopback ports with a temp data dir (as the tests start it), for
// the fleet bench: the nodes are simulated, etcd is real.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup } from './cleanup.js';
import { waitFor } from './waitFor.js';

export interface EtcdServer {
  /** `http://127.0.0.1:<client port>` */
  readonly endpoint: string;
  readonly pid: number;
  /** GET /metrics: Prometheus text. */
  metrics(): Promise<string>;
  /** Output etcd printed (errors only). */
  output(): string;
}

const ETCD_BINARY = process.env.ETCD_BINARY ?? 'etcd';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts etcd and waits until it answers /health; registers its kill and the data dir removal. */
export async function startEtcd(): Promise<EtcdServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'huddle-fleet-etcd-'));
  // Filled in once spawned; the cleanup is registered first so the data dir goes whatever fails.
  const running: { child?: ChildProcess; exited: Promise<void> } = { exited: Promise.resolve() };
  onCleanup(async () => {
    const proc = running.child;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await running.exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  const clientPort = await freePort();
  let peerPort = await freePort();
  while (peerPort === clientPort) peerPort = await freePort();
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const proc = spawn(ETCD_BINARY, [
    '--name', 'default',
    '--data-dir', dataDir,
    '--listen-client-urls', endpoint,
    '--advertise-client-urls', endpoint,
    '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `default=${peer}`,
    // etcd 3.4 only honours --log-level with the zap logger.
    '--logger', 'zap',
    '--log-level', 'error',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.child = proc;
  let out = '';
  let gone = false;
  running.exited = new Promise((resolve) => proc.once('exit', () => {
    gone = true;
    resolve();
  }));
  proc.once('error', (error) => {
    out += `\n${error.message}`;
    gone = true;
  });
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-20_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);

  await waitFor(
    async () => {
      if (gone) throw new Error(`etcd exited early:\n${out}`);
      const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
      const body = (await res.json()) as { health?: string };
      return body.health === 'true';
    },
    { timeoutMs: 15_000, intervalMs: 50, what: `etcd to answer on ${endpoint}` },
  );
  return {
    endpoint,
    pid: proc.pid ?? -1,
    metrics: async () => (await fetch(`${endpoint}/metrics`, { signal: AbortSignal.timeout(5000) })).text(),
    output: () => out,
  };
}
