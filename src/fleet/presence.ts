import type { Etcd3 } from 'etcd3';
import { DEFAULT_KEY_PREFIX, appsPrefix, nodeKey, nodesPrefix, parseNodeKey } from './keys.js';
import { NodeLease } from './nodeLease.js';

/** What a node says about one app. `since` is an ISO time: when it entered `state`. */
export interface PresenceEntry {
  state: string;
  commit: string | null;
  since: string;
}

/** One live node's entry for one app, as `huddle fleet status --json` lists it. */
export interface PresenceRecord extends PresenceEntry {
  node: string;
  app: string;
}

export interface PresenceOptions {
  /** Key prefix; default `huddle`. */
  prefix?: string;
  /** Pause before re-trying a write etcd refused or did not answer; default 1000 ms. */
  retryMs?: number;
}

/**
 * Publishes this node's per-app entries under `<prefix>/apps/<app>/nodes/<nodeId>`, bound to the
 * node lease so they vanish within its TTL when the node dies. Writes happen only on change; when
 * etcd is away the latest entry is kept and written once it answers again, and everything is
 * re-published on a new lease.
 */
export class Presence {
  private readonly prefix: string;
  private readonly retryMs: number;
  private readonly wanted = new Map<string, string>();
  /** JSON last written per app, with the lease generation it was bound to. */
  private readonly written = new Map<string, { json: string; generation: number }>();
  private retryTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;
  private readonly onGranted = () => this.scheduleFlush(0);

  constructor(
    private readonly client: Etcd3,
    private readonly lease: NodeLease,
    readonly nodeId: string,
    options: PresenceOptions = {},
  ) {
    this.prefix = options.prefix ?? DEFAULT_KEY_PREFIX;
    this.retryMs = options.retryMs ?? 1000;
    lease.on('granted', this.onGranted);
  }

  /**
   * Set this node's entry for `app`. Resolves true once it is in etcd (or already was), false
   * when etcd could not take it now; it is then retried in the background. Never rejects.
   */
  async update(app: string, entry: PresenceEntry): Promise<boolean> {
    if (this.closed) return false;
    this.wanted.set(app, JSON.stringify({ state: entry.state, commit: entry.commit, since: entry.since }));
    await this.flush();
    return this.isWritten(app);
  }

  /** Stop publishing `app` and delete its entry. */
  async remove(app: string): Promise<void> {
    this.wanted.delete(app);
    this.written.delete(app);
    await this.client
      .delete()
      .key(nodeKey(this.prefix, app, this.nodeId))
      .exec()
      .catch(() => undefined); // the lease removes it anyway if this node goes away
  }

  /** Live entries of every node, for one app or all. */
  list(app?: string): Promise<PresenceRecord[]> {
    return listPresence(this.client, app, this.prefix);
  }

  /** Stop retrying; the entries go with the lease (close the NodeLease to drop them). */
  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.lease.off('granted', this.onGranted);
  }

  private isWritten(app: string): boolean {
    const written = this.written.get(app);
    return written !== undefined && written.json === this.wanted.get(app) && written.generation === this.lease.generation;
  }

  private flush(): Promise<void> {
    // One flush at a time; a caller arriving mid-flush waits for a fresh pass so its entry is seen.
    const run = async (): Promise<void> => {
      let failed = false;
      for (const [app, json] of this.wanted) {
        if (this.closed) return;
        if (this.isWritten(app)) continue;
        let generation = this.lease.generation;
        try {
          const leaseId = await this.lease.current(AbortSignal.timeout(this.retryMs));
          generation = this.lease.generation;
          await this.client.put(nodeKey(this.prefix, app, this.nodeId)).value(json).lease(leaseId).exec();
          this.written.set(app, { json, generation });
        } catch (error) {
          if (NodeLease.isExpiry(error)) this.lease.expired(generation);
          failed = true;
        }
      }
      if (failed) this.scheduleFlush(this.retryMs);
    };
    const previous = this.flushing ?? Promise.resolve();
    const next = previous.then(run);
    this.flushing = next;
    void next.finally(() => {
      if (this.flushing === next) this.flushing = undefined;
    });
    return next;
  }

  private scheduleFlush(delayMs: number): void {
    if (this.closed) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.flush(), delayMs);
  }
}

/** Live entries of every node, for one app or all: what any etcd client can read, lease or not. */
export async function listPresence(client: Etcd3, app?: string, prefix = DEFAULT_KEY_PREFIX): Promise<PresenceRecord[]> {
  const from = app === undefined ? appsPrefix(prefix) : nodesPrefix(prefix, app);
  const all = await client.getAll().prefix(from).strings();
  const records: PresenceRecord[] = [];
  for (const [key, value] of Object.entries(all)) {
    const where = parseNodeKey(prefix, key);
    if (!where) continue;
    try {
      const entry = JSON.parse(value) as PresenceEntry;
      records.push({ node: where.nodeId, app: where.app, state: entry.state, commit: entry.commit, since: entry.since });
    } catch {
      // A value another writer mangled: not a live node as far as we can tell.
    }
  }
  return records.sort((a, b) => a.app.localeCompare(b.app) || a.node.localeCompare(b.node));
}
