// A real single-member etcd on free loopback ports with a temp data dir, for the fleet tests and
// the fleet bench (test/fixtures/etcd re-exports it).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { waitFor } from './waitFor.js';

/** True when an `etcd` binary is on PATH. */
export function etcdAvailable(): boolean {
  return spawnSync('etcd', ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface EtcdServer {
  /** `http://127.0.0.1:<client port>` */
  readonly endpoint: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly dataDir: string;
  /** PID of the running etcd (0 while it is stopped). */
  readonly pid: number;
  /** Output etcd printed (errors only), for failure reports. */
  output(): string;
  /** SIGTERM, wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL, wait for exit. */
  kill(): Promise<void>;
  /** Start again on the same ports and data dir, wait until healthy. */
  restart(): Promise<void>;
  /** SIGKILL if running and remove the data dir. */
  dispose(): Promise<void>;
  /** GET /metrics: Prometheus text, used to count requests. */
  metrics(): Promise<string>;
}

const READY_TIMEOUT_MS = 15_000;

/** Serve clients over TLS with these PEM files; `clientCertAuth`: require a client certificate. */
export interface EtcdTls {
  cert: string;
  key: string;
  ca: string;
  clientCertAuth?: boolean;
  /** A client certificate the harness uses for its own health checks (needed with clientCertAuth). */
  client?: { cert: string; key: string };
}

/** GET `url` over https, trusting `tls.ca` (fetch cannot take a private CA). */
function httpsGet(url: string, tls: EtcdTls): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, {
      ca: readFileSync(tls.ca),
      ...(tls.client ? { cert: readFileSync(tls.client.cert), key: readFileSync(tls.client.key) } : {}),
      timeout: 1000,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/**
 * Start a single-member etcd on two free loopback ports with a temp data dir and wait until it
 * answers /health. Callers must `dispose()` it (see `useEtcd`).
 */
export async function startEtcd(options: { tls?: EtcdTls } = {}): Promise<EtcdServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'huddle-etcd-'));
  const clientPort = await freePort();
  let peerPort = await freePort();
  while (peerPort === clientPort) peerPort = await freePort();
  const tls = options.tls;
  const endpoint = `${tls ? 'https' : 'http'}://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const args = [
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
    ...(tls
      ? ['--cert-file', tls.cert, '--key-file', tls.key, '--trusted-ca-file', tls.ca, ...(tls.clientCertAuth ? ['--client-cert-auth'] : [])]
      : []),
  ];
  const get = (url: string): Promise<string> =>
    tls ? httpsGet(url, tls) : fetch(url, { signal: AbortSignal.timeout(1000) }).then((res) => res.text());

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let out = '';

  const launch = async (): Promise<void> => {
    const proc = spawn('etcd', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    const keep = (chunk: Buffer) => {
      out = (out + chunk.toString()).slice(-20_000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    let gone = false;
    void exited.then(() => {
      gone = true;
    });
    await waitFor(
      async () => {
        if (gone) throw new Error(`etcd exited early:\n${out}`);
        const body = JSON.parse(await get(`${endpoint}/health`)) as { health?: string };
        return body.health === 'true';
      },
      { timeoutMs: READY_TIMEOUT_MS, intervalMs: 50, what: `etcd to answer on ${endpoint}` },
    );
  };

  const signalAndWait = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  await launch().catch(async (e: unknown) => {
    await signalAndWait('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
    throw e;
  });

  return {
    endpoint,
    clientPort,
    peerPort,
    dataDir,
    get pid() {
      return child && child.exitCode === null && child.signalCode === null ? (child.pid ?? 0) : 0;
    },
    output: () => out,
    stop: () => signalAndWait('SIGTERM'),
    kill: () => signalAndWait('SIGKILL'),
    restart: async () => {
      await signalAndWait('SIGTERM');
      await launch();
    },
    dispose: async () => {
      await signalAndWait('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    },
    metrics: () => get(`${endpoint}/metrics`),
  };
}
