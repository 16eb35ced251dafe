import { EventEmitter } from 'node:events';
import type { Etcd3, IKeyValue, Watcher } from 'etcd3';
import { applyControl, emptyControl, type AppControl, type FleetControl } from './fleetControl.js';
import { controlPrefix, type ControlKey } from './keys.js';

/**
 * One change of an app's control keys. `live`: published while this node followed the app (seen
 * by the watch, or by a read again after etcd dropped the watch); false for what the first
 * successful read finds, which may be a decision older than this node's run.
 */
export interface ControlChange {
  app: string;
  what: ControlKey;
  control: AppControl;
  live: boolean;
}

interface Tracked {
  control: AppControl;
  loaded: boolean;
  closed: boolean;
  watcher: Watcher | undefined;
  stop: () => void;
}

interface ControlWatchEvents {
  change: [ControlChange];
}

/**
 * Keeps this node's view of the fleet's decisions about each of its apps: read once, then watched
 * from the revision of that read (nothing missed in between; etcd3 resumes a broken watch from
 * its last revision). While etcd is away the last view stays, and a reload replaces it later.
 */
export class ControlWatch extends EventEmitter<ControlWatchEvents> {
  private readonly apps = new Map<string, Tracked>();

  constructor(
    private readonly client: Etcd3,
    private readonly fleet: FleetControl,
    private readonly retryMs = 1000,
  ) {
    super();
  }

  /** Start following `app` (idempotent). */
  track(app: string): void {
    if (this.apps.has(app)) return;
    const tracked: Tracked = { control: emptyControl(), loaded: false, closed: false, watcher: undefined, stop: () => undefined };
    this.apps.set(app, tracked);
    void this.follow(app, tracked);
  }

  untrack(app: string): void {
    const tracked = this.apps.get(app);
    if (!tracked) return;
    this.apps.delete(app);
    tracked.closed = true;
    tracked.stop();
    void tracked.watcher?.cancel().catch(() => undefined);
  }

  /** The last known decisions about `app`; undefined until read from etcd once. */
  control(app: string): AppControl | undefined {
    const tracked = this.apps.get(app);
    return tracked?.loaded ? tracked.control : undefined;
  }

  /** Resolves once `test` holds for `app`'s decisions; rejects on abort. */
  until(app: string, test: (control: AppControl) => boolean, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const now = this.control(app);
    if (now && test(now)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onChange = (change: ControlChange) => {
        if (change.app !== app || !test(change.control)) return;
        done();
        resolve();
      };
      const onAbort = () => {
        done();
        reject(signal.reason);
      };
      const done = () => {
        this.off('change', onChange);
        signal.removeEventListener('abort', onAbort);
      };
      this.on('change', onChange);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  close(): void {
    for (const app of [...this.apps.keys()]) this.untrack(app);
  }

  private async follow(app: string, tracked: Tracked): Promise<void> {
    while (!tracked.closed) {
      try {
        const { control, revision } = await this.fleet.read(app);
        if (tracked.closed) return;
        const before = tracked.control;
        const followed = tracked.loaded;
        tracked.control = control;
        tracked.loaded = true;
        for (const what of differences(before, control)) this.emit('change', { app, what, control, live: followed });
        const watcher = await this.client
          .watch()
          .prefix(controlPrefix(this.fleet.prefix, app))
          .startRevision(String(BigInt(revision) + 1n))
          .create();
        if (tracked.closed) {
          await watcher.cancel().catch(() => undefined);
          return;
        }
        tracked.watcher = watcher;
        const onKv = (kv: IKeyValue, value: string | undefined) => {
          const what = applyControl(tracked.control, this.fleet.prefix, app, kv.key.toString(), value);
          if (what) this.emit('change', { app, what, control: tracked.control, live: true });
        };
        watcher.on('put', (kv) => onKv(kv, kv.value.toString()));
        watcher.on('delete', (kv) => onKv(kv, undefined));
        // etcd cancels a watch it cannot resume (its revision compacted while etcd was away)
        // and etcd3 then drops it without a word but this event: read again, watch afresh.
        const cancelled = await new Promise<boolean>((resolve) => {
          tracked.stop = () => resolve(false);
          watcher.once('error', () => resolve(true));
        });
        if (!cancelled) return;
        tracked.watcher = undefined;
        continue;
      } catch {
        // etcd away at the first read: keep trying; the app runs meanwhile.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.retryMs);
          tracked.stop = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }
}

/** The keys that differ between two views of an app's decisions. */
function differences(before: AppControl, after: AppControl): ControlKey[] {
  const changed: ControlKey[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (!same(before.target, after.target)) changed.push({ kind: 'target' });
  if (!same(before.pin, after.pin)) changed.push({ kind: 'pin' });
  if (!same(before.halt, after.halt)) changed.push({ kind: 'halt' });
  for (const commit of new Set([...before.halted.keys(), ...after.halted.keys()])) {
    if (!same(before.halted.get(commit), after.halted.get(commit))) changed.push({ kind: 'halted', commit });
  }
  return changed;
}
