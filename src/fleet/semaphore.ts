import { randomUUID } from 'node:crypto';
import type { Etcd3 } from 'etcd3';
import { abortable, pause } from './abortable.js';
import { DEFAULT_KEY_PREFIX, prefixEnd, slotsPrefix } from './keys.js';
import type { NodeLease } from './nodeLease.js';

/** A held slot. `release()` is idempotent and retries until etcd takes it. */
export interface SlotHandle {
  readonly app: string;
  readonly key: string;
  /** True once the lease the slot was bound to is gone: the slot may be someone else's now. */
  readonly lost: boolean;
  release(): Promise<void>;
}

export interface SemaphoreOptions {
  /** Key prefix; default `huddle`. */
  prefix?: string;
  /** Pause before re-trying after etcd failed to answer; default 500 ms. */
  retryMs?: number;
}

/**
 * A fleet-wide counting semaphore per app. A slot is a key under `<prefix>/apps/<app>/slots/`
 * bound to the node lease, so a dead node's slot frees itself within the TTL. Taking one is a
 * transaction that succeeds only if no slot key changed since the count was read, so two nodes
 * can never both take the last slot. A full semaphore is waited on with a watch for deletions
 * from the read revision on (nothing is missed, nothing is polled).
 */
export class FleetSemaphore {
  private readonly prefix: string;
  private readonly retryMs: number;

  constructor(
    private readonly client: Etcd3,
    private readonly lease: NodeLease,
    readonly nodeId: string,
    options: SemaphoreOptions = {},
  ) {
    this.prefix = options.prefix ?? DEFAULT_KEY_PREFIX;
    this.retryMs = options.retryMs ?? 500;
  }

  /** Number of slots held for `app` right now, and etcd's revision of that answer. */
  async held(app: string): Promise<{ count: number; revision: string }> {
    const from = slotsPrefix(this.prefix, app);
    const res = await this.client.kv.range({ key: Buffer.from(from), range_end: prefixEnd(from), count_only: true });
    return { count: Number(res.count), revision: res.header.revision };
  }

  /** Wait until fewer than `limit` slots of `app` are held, then take one. Rejects on abort. */
  async acquire(app: string, limit: number, signal?: AbortSignal): Promise<SlotHandle> {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`slot limit must be an integer >= 1, got ${limit}`);
    const from = slotsPrefix(this.prefix, app);
    const key = `${from}${encodeURIComponent(this.nodeId)}/${randomUUID()}`;
    const value = JSON.stringify({ node: this.nodeId, since: new Date().toISOString() });
    for (;;) {
      signal?.throwIfAborted();
      let revision: string;
      try {
        const leaseId = await this.lease.current(signal);
        const generation = this.lease.generation;
        const seen = await abortable(this.held(app), signal);
        revision = seen.revision;
        if (seen.count < limit) {
          const res = await abortable(
            this.client.kv.txn({
              // Every slot key still has mod_revision <= the one we counted at: none was taken since.
              compare: [
                {
                  key: Buffer.from(from),
                  range_end: prefixEnd(from),
                  target: 'Mod',
                  result: 'Less',
                  mod_revision: String(BigInt(revision) + 1n),
                },
              ],
              success: [{ request_put: { key: Buffer.from(key), value: Buffer.from(value), lease: leaseId } }],
              failure: [],
            }),
            signal,
          );
          if (res.succeeded) return this.handle(app, key, generation, signal);
          continue; // someone took a slot meanwhile: count again
        }
      } catch (e) {
        if (signal?.aborted) throw signal.reason;
        void e; // etcd away or slow: keep waiting, that is what "hold" means
        await pause(this.retryMs, signal);
        continue;
      }
      await this.waitForRelease(from, revision, signal);
    }
  }

  private async waitForRelease(from: string, revision: string, signal: AbortSignal | undefined): Promise<void> {
    const watcher = await abortable(
      this.client.watch().prefix(from).startRevision(String(BigInt(revision) + 1n)).create(),
      signal,
    ).catch(async (e: unknown) => {
      if (signal?.aborted) throw signal.reason;
      void e;
      await pause(this.retryMs, signal);
      return undefined;
    });
    if (!watcher) return;
    try {
      await abortable(new Promise<void>((resolve) => watcher.once('delete', () => resolve())), signal);
    } finally {
      await watcher.cancel().catch(() => undefined);
    }
  }

  private handle(app: string, key: string, generation: number, signal: AbortSignal | undefined): SlotHandle {
    const lease = this.lease;
    const client = this.client;
    const retryMs = this.retryMs;
    let releasing: Promise<void> | undefined;
    const handle: SlotHandle = {
      app,
      key,
      get lost() {
        return lease.generation !== generation;
      },
      release() {
        releasing ??= (async () => {
          // Once the lease is gone the key goes with it; until then, insist.
          while (lease.generation === generation && !lease.isClosed) {
            try {
              await client.delete().key(key).exec();
              return;
            } catch {
              await pause(retryMs, undefined);
            }
          }
        })();
        return releasing;
      },
    };
    if (signal?.aborted) {
      void handle.release();
      throw signal.reason;
    }
    return handle;
  }
}
