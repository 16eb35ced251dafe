import { EventEmitter } from 'node:events';
import { EtcdLeaseInvalidError, type Etcd3, type Lease } from 'etcd3';

export const DEFAULT_LEASE_TTL_SECONDS = 10;

export interface NodeLeaseOptions {
  /** Lease TTL in whole seconds (etcd's unit); a dead node's keys vanish within it. Default 10. */
  ttlSeconds?: number;
  /** Pause between grant attempts while etcd is unreachable; default 500 ms. */
  retryMs?: number;
}

interface NodeLeaseEvents {
  /** A lease was granted (first one, or a replacement after the previous one was lost). */
  granted: [leaseId: string, generation: number];
  /** The current lease was lost (etcd said it expired, or keepalives failed for 2×TTL). */
  lost: [generation: number];
}

/**
 * The one lease a node binds its fleet keys to (presence entries and semaphore slots): kept alive
 * by etcd3 (a keepalive every TTL/3 on one stream), and re-granted when lost so the node comes
 * back after an etcd outage. Owners of keys listen to `granted` to re-publish them.
 */
export class NodeLease extends EventEmitter<NodeLeaseEvents> {
  readonly ttlSeconds: number;
  private readonly retryMs: number;
  private lease: Lease | undefined;
  private leaseId: string | undefined;
  private generationCount = 0;
  private pending: Promise<string> | undefined;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private wakeRetry: (() => void) | undefined;

  constructor(
    private readonly client: Etcd3,
    options: NodeLeaseOptions = {},
  ) {
    super();
    this.ttlSeconds = options.ttlSeconds ?? DEFAULT_LEASE_TTL_SECONDS;
    if (!Number.isInteger(this.ttlSeconds) || this.ttlSeconds < 1) {
      throw new RangeError(`lease ttl must be a whole number of seconds >= 1, got ${this.ttlSeconds}`);
    }
    this.retryMs = options.retryMs ?? 500;
  }

  /** Generation of the current lease: bumps each time a lease is granted. */
  get generation(): number {
    return this.generationCount;
  }

  /** True once `close()` was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** The live lease id, granting one first if needed; waits (until `signal`) while etcd is away. */
  async current(signal?: AbortSignal): Promise<string> {
    if (this.closed) throw new Error('node lease is closed');
    if (this.leaseId !== undefined) return this.leaseId;
    this.pending ??= this.grantUntilDone();
    if (!signal) return this.pending;
    signal.throwIfAborted();
    return new Promise<string>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending!.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /** Stop keeping the lease alive; with `revoke` (default) its keys are deleted at once. */
  async close({ revoke = true }: { revoke?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.wakeRetry?.();
    const lease = this.lease;
    this.lease = undefined;
    this.leaseId = undefined;
    if (!lease) return;
    if (revoke) await lease.revoke().catch(() => lease.release());
    else lease.release();
  }

  /**
   * etcd answered that the lease of `generation` does not exist: it expired while its keepalive
   * was stalled, which etcd3 does not always notice (a keepalive stream whose opening never
   * settles after an etcd restart reports nothing). Replaced as if lost, so the keys come back.
   */
  expired(generation: number): void {
    if (generation !== this.generationCount || !this.lease) return;
    this.onLost(this.lease, generation);
  }

  /** Whether `error` is etcd saying a lease does not exist (pass it to `expired`). */
  static isExpiry(error: unknown): boolean {
    return error instanceof EtcdLeaseInvalidError;
  }

  private async grantUntilDone(): Promise<string> {
    for (;;) {
      if (this.closed) throw new Error('node lease is closed');
      const lease = this.client.lease(this.ttlSeconds);
      try {
        const id = await lease.grant();
        if (this.closed) {
          await lease.revoke().catch(() => lease.release());
          throw new Error('node lease is closed');
        }
        this.lease = lease;
        this.leaseId = id;
        this.pending = undefined;
        const generation = ++this.generationCount;
        lease.on('lost', () => this.onLost(lease, generation));
        this.emit('granted', id, generation);
        return id;
      } catch (e) {
        lease.release();
        if (this.closed) throw e;
        await new Promise<void>((resolve) => {
          this.wakeRetry = resolve;
          this.retryTimer = setTimeout(resolve, this.retryMs);
        });
      }
    }
  }

  private onLost(lease: Lease, generation: number): void {
    if (this.closed || lease !== this.lease) return;
    lease.release();
    this.lease = undefined;
    this.leaseId = undefined;
    this.emit('lost', generation);
    // Re-grant right away so keys come back as soon as etcd does; errors are retried inside.
    this.pending ??= this.grantUntilDone();
    this.pending.catch(() => undefined);
  }
}
