import { randomUUID } from 'node:crypto';
import type { Etcd3, IKeyValue, Watcher } from 'etcd3';
import { abortable, pause } from './abortable.js';
import { DEFAULT_KEY_PREFIX, prefixEnd, queuePrefix, slotsPrefix } from './keys.js';
import { NodeLease } from './nodeLease.js';

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
  /**
   * Told what a waiting acquire is doing (queued behind others, a failed attempt and its error):
   * a node that waits for a slot is otherwise silent, whatever keeps it waiting.
   */
  trace?: (app: string, message: string) => void;
}

/** Thrown inside `acquire` when the lease, and so our place in the queue, is gone. */
class PlaceLost extends Error {}

/**
 * A fleet-wide counting semaphore per app, as a FIFO queue. A node joins by putting one key under
 * `<prefix>/apps/<app>/queue/`, bound to its lease; it holds a slot once fewer than `limit` keys
 * are older (smaller create revision) than its own. Keys only leave the queue, newer ones only join
 * behind, so a node that holds a slot keeps it, and at most `limit` nodes hold one at any moment.
 * Waiting is one watch on the queue, counting the deletions of older keys: no failed writes and no
 * herd when a slot frees, whatever the size of the fleet; nodes go in arrival order. A dead
 * node's keys go with its lease. Each holder also puts a marker under `slots/`, so the holders can
 * be counted and audited (`held`).
 */
export class FleetSemaphore {
  private readonly prefix: string;
  private readonly retryMs: number;
  private readonly trace: (app: string, message: string) => void;

  constructor(
    private readonly client: Etcd3,
    private readonly lease: NodeLease,
    readonly nodeId: string,
    options: SemaphoreOptions = {},
  ) {
    this.prefix = options.prefix ?? DEFAULT_KEY_PREFIX;
    this.retryMs = options.retryMs ?? 500;
    this.trace = options.trace ?? (() => undefined);
  }

  /** Number of slots held for `app` right now, and etcd's revision of that answer. */
  async held(app: string): Promise<{ count: number; revision: string }> {
    const from = slotsPrefix(this.prefix, app);
    const res = await this.client.kv.range({ key: Buffer.from(from), range_end: prefixEnd(from), count_only: true });
    return { count: Number(res.count), revision: res.header.revision };
  }

  /** Wait until this node is among the first `limit` of the app's queue, then hold a slot. Rejects on abort. */
  async acquire(app: string, limit: number, signal?: AbortSignal): Promise<SlotHandle> {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`slot limit must be an integer >= 1, got ${limit}`);
    for (;;) {
      signal?.throwIfAborted();
      const id = `${encodeURIComponent(this.nodeId)}/${randomUUID()}`;
      const queued = `${queuePrefix(this.prefix, app)}${id}`;
      const marker = `${slotsPrefix(this.prefix, app)}${id}`;
      let generation = this.lease.generation;
      let tried = false;
      try {
        const leaseId = await this.lease.current(signal);
        generation = this.lease.generation;
        const value = JSON.stringify({ node: this.nodeId, since: new Date().toISOString() });
        // Set before the put: one whose answer was lost (the connection dropped) may still have
        // been applied, and a key of ours left in the queue would hold this node, and every node
        // behind it, back for as long as the lease lives.
        tried = true;
        const put = await abortable(this.client.kv.put({ key: Buffer.from(queued), value: Buffer.from(value), lease: leaseId }), signal);
        await this.waitForTurn(app, BigInt(put.header.revision), limit, signal);
        await abortable(this.client.kv.put({ key: Buffer.from(marker), value: Buffer.from(value), lease: leaseId }), signal);
        return this.handle(app, [queued, marker], generation, signal);
      } catch (error) {
        // Our place is given up (or gone with the lease): never leave a key that holds others back.
        if (tried) void this.deleteWhileLeased([queued, marker], this.lease.generation);
        if (signal?.aborted) throw signal.reason;
        if (NodeLease.isExpiry(error)) this.lease.expired(generation);
        this.trace(app, `slot not taken, trying again: ${(error as Error).message}`);
        await pause(error instanceof PlaceLost ? 0 : this.retryMs, signal);
      }
    }
  }

  /** Resolves once fewer than `limit` queue keys are older than revision `mine`. */
  private async waitForTurn(app: string, mine: bigint, limit: number, signal: AbortSignal | undefined): Promise<void> {
    const from = queuePrefix(this.prefix, app);
    // A place lost with the lease must not be waited for: the whole wait, watches and pauses, ends.
    const placeLost = new AbortController();
    const onLost = () => placeLost.abort(new PlaceLost('lease lost while waiting'));
    this.lease.once('lost', onLost);
    const waiting = signal ? AbortSignal.any([signal, placeLost.signal]) : placeLost.signal;
    try {
      for (;;) {
        let res: Awaited<ReturnType<FleetSemaphore['older']>>;
        try {
          res = await abortable(this.older(from, mine), waiting);
        } catch (error) {
          if (waiting.aborted) throw waiting.reason;
          // etcd away: our key outlives the outage as long as the lease does (its loss ends the
          // wait above), so the place stands. Count again once etcd answers.
          this.trace(app, `could not count the queue, keeping this node's place: ${(error as Error).message}`);
          await pause(this.retryMs, waiting);
          continue;
        }
        const ahead = res.kvs.length;
        if (ahead < limit) return;
        this.trace(app, `waiting for a slot: ${ahead} node(s) ahead, ${limit} at once`);
        if ((await this.watchForTurn(app, from, mine, { ahead, revision: res.header.revision }, limit, waiting)) === 'turn') return;
        // Our place in the queue stands: count again and watch from there.
        this.trace(app, 'lost the watch on the queue (the connection dropped, or etcd cancelled it): counting again');
        await pause(this.retryMs, waiting);
      }
    } finally {
      this.lease.off('lost', onLost);
    }
  }

  /**
   * Counts the deletions of keys ahead of `mine`, seen after `counted.revision`, until fewer than
   * `limit` are left ('turn'), or until the watch is lost ('lost'): the connection dropped, or etcd
   * cancelled it. A lost watch is not resumed but counted afresh: etcd3's resume moves past
   * deletions it has not replayed yet when the connection drops again meanwhile, and etcd cancels
   * a resume from a compacted revision.
   */
  private async watchForTurn(
    app: string,
    from: string,
    mine: bigint,
    counted: { ahead: number; revision: string },
    limit: number,
    signal: AbortSignal,
  ): Promise<'turn' | 'lost'> {
    let ahead = counted.ahead;
    let watcher: Watcher | undefined;
    let recount: NodeJS.Timeout | undefined;
    try {
      return await abortable(
        new Promise<'turn' | 'lost'>((resolve, reject) => {
          // Keys only ever leave the queue ahead of this node, so the lower count is the newer.
          const countAgain = (onError: (error: unknown) => void): void => {
            void this.countAhead(from, mine).then((n) => {
              ahead = Math.min(ahead, n);
              if (ahead < limit) resolve('turn');
            }, onError);
          };
          // A safety net under the watch, running from before the watch exists: across an etcd
          // outage a resumed watch should replay every deletion, but a missed one, or a watch whose
          // creation never completes (seen once when etcd stopped at that moment), must not leave
          // a node waiting forever. A count now and then.
          recount = setInterval(() => countAgain((error: unknown) => this.trace(app, `recount failed: ${(error as Error).message}`)), this.retryMs * 10);
          // The watcher itself rather than create(): a connection lost while etcd creates it is a
          // lost watch too (create() would wait for etcd3 to create it again, whenever it can).
          const created = this.client.watch().prefix(from).withPreviousKV().startRevision(String(BigInt(counted.revision) + 1n)).watcher();
          watcher = created;
          // etcd cancelled it (at once, or later): nothing more will come, and a cancel of it may
          // never be answered.
          created.on('error', () => {
            watcher = undefined;
            resolve('lost');
          });
          // Unconnected, etcd3 forgets it at once (the cancel below only detaches it).
          created.once('disconnected', () => resolve('lost'));
          created.on('delete', (_kv: IKeyValue, previous?: IKeyValue) => {
            // Without the previous value (compacted meanwhile), count again rather than guess.
            if (!previous) {
              countAgain(reject);
              return;
            }
            if (BigInt(previous.create_revision) < mine && --ahead < limit) resolve('turn');
          });
        }),
        signal,
      );
    } finally {
      clearInterval(recount);
      // Not awaited: a cancel that etcd never answers must not hold the acquire.
      void watcher?.cancel().catch(() => undefined);
    }
  }

  private async countAhead(from: string, mine: bigint): Promise<number> {
    return (await this.older(from, mine)).kvs.length;
  }

  /** Queue keys created before revision `mine` (etcd's count ignores the revision filters: keys are listed). */
  private older(from: string, mine: bigint) {
    return this.client.kv.range({
      key: Buffer.from(from), range_end: prefixEnd(from), keys_only: true, max_create_revision: String(mine - 1n),
    });
  }

  /** Deletes `keys` in one transaction, retrying while the lease they are bound to lives. */
  private async deleteWhileLeased(keys: string[], generation: number): Promise<void> {
    // Once the lease is gone the keys go with it; until then, insist.
    while (this.lease.generation === generation && !this.lease.isClosed) {
      try {
        await this.client.kv.txn({
          compare: [],
          success: keys.map((key) => ({ request_delete_range: { key: Buffer.from(key) } })),
          failure: [],
        });
        return;
      } catch {
        await pause(this.retryMs, undefined);
      }
    }
  }

  private handle(app: string, keys: string[], generation: number, signal: AbortSignal | undefined): SlotHandle {
    const lease = this.lease;
    let releasing: Promise<void> | undefined;
    const handle: SlotHandle = {
      app,
      key: keys[1]!,
      get lost() {
        return lease.generation !== generation;
      },
      release: () => (releasing ??= this.deleteWhileLeased(keys, generation)),
    };
    if (signal?.aborted) {
      void handle.release();
      throw signal.reason;
    }
    return handle;
  }
}
