// Watches the rollout semaphore from outside the nodes, two ways: the exact count replayed from a
// watch on the slots prefix (puts and deletes in revision order, nothing missed), and a sampled
// count (a count-only range every few ms), as an operator's dashboard would see it.
import type { Etcd3, IWatchResponse, Watcher } from 'etcd3';
import { prefixEnd } from '../../src/fleet/keys.js';

/** One slot key's life as the watch saw it (times are when the watch event arrived). */
export interface SlotHold {
  node: string;
  takenAt: number;
  releasedAt: number | null;
  takenRevision: bigint;
}

export class SlotMonitor {
  /** Slot keys held now, by the watch. */
  count = 0;
  maxCount = 0;
  maxRevision = 0n;
  readonly holds: SlotHold[] = [];
  /** Every change in revision order: +1 / −1 with its arrival time. */
  readonly changes: Array<{ at: number; delta: 1 | -1 }> = [];
  /** Slot keys deleted that the watch never saw created: taken before it started. */
  unknownDeletes = 0;
  sampledMax = 0;
  samples = 0;
  /** Range calls the sampler made (to take out of etcd's own request count). */
  sampleCalls = 0;
  sampleErrors = 0;
  private readonly open = new Map<string, SlotHold>();
  private watcher: Watcher | undefined;
  private sampling: Promise<void> | undefined;
  private stopSampling = false;
  private onSample: (() => void) | undefined;

  constructor(private readonly client: Etcd3, private readonly prefix: string) {}

  /** Starts the watch from the current revision on, with the count as of that revision. */
  async watch(): Promise<void> {
    const res = await this.client.kv.range({ key: Buffer.from(this.prefix), range_end: prefixEnd(this.prefix), count_only: true });
    this.count = Number(res.count);
    this.maxCount = this.count;
    const watcher = await this.client.watch().prefix(this.prefix).startRevision(String(BigInt(res.header.revision) + 1n)).create();
    this.watcher = watcher;
    watcher.on('data', (response: IWatchResponse) => this.apply(response));
  }

  /** Samples the count every `periodMs` until `stopSampler`; `each` runs after every sample. */
  startSampler(periodMs: number, each?: () => void): void {
    this.stopSampling = false;
    this.onSample = each;
    this.sampling = (async () => {
      while (!this.stopSampling) {
        const started = Date.now();
        try {
          this.sampleCalls++;
          const res = await this.client.kv.range({ key: Buffer.from(this.prefix), range_end: prefixEnd(this.prefix), count_only: true });
          this.samples++;
          this.sampledMax = Math.max(this.sampledMax, Number(res.count));
        } catch {
          this.sampleErrors++;
        }
        this.onSample?.();
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, periodMs - (Date.now() - started))));
      }
    })();
  }

  /** Stops sampling once the call in flight (counted already) is answered. */
  async stopSampler(): Promise<void> {
    this.stopSampling = true;
    await this.sampling;
  }

  async close(): Promise<void> {
    await this.stopSampler();
    await this.watcher?.cancel().catch(() => undefined);
  }

  /** Time of the last slot release the watch saw. */
  get lastReleaseAt(): number | undefined {
    let last: number | undefined;
    for (const hold of this.holds) if (hold.releasedAt !== null) last = Math.max(last ?? 0, hold.releasedAt);
    return last;
  }

  private apply(response: IWatchResponse): void {
    const at = Date.now();
    for (const event of response.events) {
      const key = event.kv.key.toString();
      if (event.type === 'Put') {
        // A slot key is written once (a new key per acquisition); a rewrite would not add a slot.
        if (event.kv.version !== '1') continue;
        const node = decodeURIComponent(key.slice(this.prefix.length).split('/')[0] ?? '');
        const hold: SlotHold = { node, takenAt: at, releasedAt: null, takenRevision: BigInt(event.kv.mod_revision) };
        this.open.set(key, hold);
        this.holds.push(hold);
        this.count++;
        this.changes.push({ at, delta: 1 });
        if (this.count > this.maxCount) {
          this.maxCount = this.count;
          this.maxRevision = BigInt(event.kv.mod_revision);
        }
      } else {
        const hold = this.open.get(key);
        if (hold) {
          this.open.delete(key);
          hold.releasedAt = at;
        } else {
          this.unknownDeletes++;
        }
        this.count--;
        this.changes.push({ at, delta: -1 });
      }
    }
  }
}
