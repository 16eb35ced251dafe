// etcd's own count of the gRPC calls it served, from its Prometheus /metrics: a unary call
// (Range, Put, Txn, LeaseGrant…) is one `grpc_server_started_total`; on a stream (Watch,
// LeaseKeepAlive) each message the client sends is one `grpc_server_msg_received_total`.

/** Requests per `Service/Method`. */
export type RequestCounts = Map<string, { type: string; started: number; received: number }>;

const SAMPLE = /^(grpc_server_started_total|grpc_server_msg_received_total)\{([^}]*)\}\s+(\S+)$/;

export function parseGrpcCounts(text: string): RequestCounts {
  const counts: RequestCounts = new Map();
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    const method = `${(labels.grpc_service ?? '?').replace(/^etcdserverpb\./, '')}/${labels.grpc_method ?? '?'}`;
    const entry = counts.get(method) ?? { type: labels.grpc_type ?? '?', started: 0, received: 0 };
    const value = Number(match[3]);
    if (match[1] === 'grpc_server_started_total') entry.started += value;
    else entry.received += value;
    counts.set(method, entry);
  }
  return counts;
}

/** What a client asked of etcd per method: unary calls, or messages sent on streams. */
export interface MethodRequests {
  method: string;
  type: string;
  requests: number;
  /** Streams opened (for stream methods). */
  streams: number;
}

export function requestsBetween(before: RequestCounts, after: RequestCounts): MethodRequests[] {
  const rows: MethodRequests[] = [];
  for (const [method, now] of after) {
    const then = before.get(method) ?? { started: 0, received: 0 };
    const started = now.started - then.started;
    const received = now.received - then.received;
    const unary = now.type === 'unary';
    const requests = unary ? started : received;
    if (requests === 0 && started === 0) continue;
    rows.push({ method, type: now.type, requests, streams: unary ? 0 : started });
  }
  return rows.sort((a, b) => b.requests - a.requests);
}

/** etcd's own work behind the requests: raft proposals and WAL fsyncs (what writes cost on disk). */
export interface EtcdWork {
  proposalsCommitted: number;
  walFsyncs: number;
  walFsyncSeconds: number;
}

function scalar(text: string, name: string): number {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+(\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : NaN;
}

export function etcdWork(text: string): EtcdWork {
  return {
    proposalsCommitted: scalar(text, 'etcd_server_proposals_committed_total'),
    walFsyncs: scalar(text, 'etcd_disk_wal_fsync_duration_seconds_count'),
    walFsyncSeconds: scalar(text, 'etcd_disk_wal_fsync_duration_seconds_sum'),
  };
}

export function workBetween(before: EtcdWork, after: EtcdWork): EtcdWork {
  return {
    proposalsCommitted: after.proposalsCommitted - before.proposalsCommitted,
    walFsyncs: after.walFsyncs - before.walFsyncs,
    walFsyncSeconds: after.walFsyncSeconds - before.walFsyncSeconds,
  };
}
