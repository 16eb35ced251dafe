import { readFileSync } from 'node:fs';
import { Etcd3, type IOptions } from 'etcd3';
import { guardWatchReplies } from './watchReplies.js';

/** PEM material: a string is a file path, a Buffer is the PEM itself. */
export type PemSource = string | Buffer;

export interface EtcdOptions {
  endpoints: string[];
  nodeId: string;
  tls?: { ca?: PemSource; cert?: PemSource; key?: PemSource };
  auth?: { username: string; password: string };
  /** How long connecting to an endpoint may take; default 2000 ms. */
  dialTimeoutMs?: number;
  /** Deadline of every unary call (get, put, txn, lease grant); default 3000 ms. Streams (watch,
   * keepalive) have none: they are long-lived by design and reconnect on their own. */
  callTimeoutMs?: number;
  /** How often an idle connection is pinged; default 30 s. */
  keepaliveMs?: number;
  /** How long a ping may go unanswered before the connection is given up; default 10 s. */
  keepaliveTimeoutMs?: number;
}

export const DEFAULT_DIAL_TIMEOUT_MS = 2000;
export const DEFAULT_CALL_TIMEOUT_MS = 3000;
// Kubernetes' apiserver dials etcd with the same pair. etcd refuses pings closer than its
// --grpc-keepalive-min-time (5 s by default).
export const DEFAULT_KEEPALIVE_MS = 30_000;
export const DEFAULT_KEEPALIVE_TIMEOUT_MS = 10_000;

function pem(source: PemSource | undefined, what: string): Buffer | undefined {
  if (source === undefined) return undefined;
  if (Buffer.isBuffer(source)) return source;
  try {
    return readFileSync(source);
  } catch (e) {
    throw new Error(`etcd tls ${what}: cannot read ${source}: ${(e as Error).message}`);
  }
}

/** The etcd3 options for `options`, without connecting (exported for tests). */
export function etcdClientOptions(options: EtcdOptions): IOptions {
  if (options.endpoints.length === 0) throw new Error('etcd: no endpoints given');
  const callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const result: IOptions = {
    hosts: options.endpoints,
    dialTimeout: options.dialTimeoutMs ?? DEFAULT_DIAL_TIMEOUT_MS,
    // A lost etcd must surface as an error quickly, never as a call that hangs the caller.
    defaultCallOptions: (context) =>
      context.isStream ? {} : { deadline: Date.now() + callTimeoutMs },
    // A connection that went silent without closing (a NAT mapping expired, a cable pulled
    // mid-path) would otherwise keep the watches and the lease keepalive on it deaf for as long
    // as TCP keeps it (hours when nothing is sent): a ping nobody answers closes it, and the
    // node reconnects.
    grpcOptions: {
      'grpc.keepalive_time_ms': options.keepaliveMs ?? DEFAULT_KEEPALIVE_MS,
      'grpc.keepalive_timeout_ms': options.keepaliveTimeoutMs ?? DEFAULT_KEEPALIVE_TIMEOUT_MS,
    },
  };
  if (options.tls) {
    const ca = pem(options.tls.ca, 'ca');
    result.credentials = {
      // grpc falls back to the system roots when no CA is given; etcd3's type says Buffer only.
      rootCertificate: ca as Buffer,
      privateKey: pem(options.tls.key, 'key'),
      certChain: pem(options.tls.cert, 'cert'),
    };
  }
  if (options.auth) {
    result.auth = {
      username: options.auth.username,
      password: options.auth.password,
      callOptions: () => ({ deadline: Date.now() + callTimeoutMs }),
    };
  }
  return result;
}

/** A connected-on-demand etcd3 client for the daemon's fleet options. Close it with `close()`. */
export function createEtcdClient(options: EtcdOptions): Etcd3 {
  guardWatchReplies();
  return new Etcd3(etcdClientOptions(options));
}

/** What may be logged about the options: endpoints without userinfo, never the auth or keys. */
export function describeEtcdOptions(options: EtcdOptions): string {
  const endpoints = options.endpoints.map((e) => e.replace(/\/\/[^@/]*@/, '//'));
  const extras = [options.tls ? 'tls' : undefined, options.auth ? `auth as ${options.auth.username}` : undefined]
    .filter(Boolean)
    .join(', ');
  return `etcd ${endpoints.join(',')} node ${options.nodeId}${extras ? ` (${extras})` : ''}`;
}
