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
 * Keeps this node's view of the fleet's decisions about each of its apps: read, then watched from
 * the revision of that read (nothing missed in between). When the watch is lost, the last view
 * stays until etcd answers again, and a new read replaces it (what changed meanwhile is emitted).
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
        if ((await this.readAndWatch(app, tracked)) === 'stopped') return;
      } catch {
        // etcd away: keep trying; the app runs meanwhile on the last view.
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.retryMs);
        tracked.stop = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /**
   * Reads the app's decisions, then watches from that read until untracked ('stopped') or until
   * the watch is lost ('lost'): the connection dropped, or etcd cancelled the watch. A lost watch
   * is not resumed but read afresh: etcd3's resume moves past events it has not replayed yet when
   * the connection drops again meanwhile, and etcd cancels a resume from a compacted revision.
   */
  private async readAndWatch(app: string, tracked: Tracked): Promise<'stopped' | 'lost'> {
    const { control, revision } = await this.fleet.read(app);
    if (tracked.closed) return 'stopped';
    const before = tracked.control;
    const followed = tracked.loaded;
    tracked.control = control;
    tracked.loaded = true;
    for (const what of differences(before, control)) this.emit('change', { app, what, control, live: followed });
    // The watcher itself rather than create(): a connection lost while etcd creates it is a lost
    // watch too (create() would wait for etcd3 to resume it, which can pass over events), and a
    // creation etcd never answers is given up after a while, as a lost watch.
    const watcher = this.client
      .watch()
      .prefix(controlPrefix(this.fleet.prefix, app))
      .startRevision(String(BigInt(revision) + 1n))
      .watcher();
    tracked.watcher = watcher;
    const onKv = (kv: IKeyValue, value: string | undefined) => {
      if (tracked.watcher !== watcher) return;
      const what = applyControl(tracked.control, this.fleet.prefix, app, kv.key.toString(), value);
      if (what) this.emit('change', { app, what, control: tracked.control, live: true });
    };
    watcher.on('put', (kv) => onKv(kv, kv.value.toString()));
    watcher.on('delete', (kv) => onKv(kv, undefined));
    let unanswered: NodeJS.Timeout | undefined;
    const ended = await new Promise<'stopped' | 'lost' | 'cancelled'>((resolve) => {
      tracked.stop = () => resolve('stopped');
      // Cancelled by etcd: etcd3 has dropped it already.
      watcher.once('error', () => resolve('cancelled'));
      // Unconnected, etcd3 forgets it at once and sends nothing.
      watcher.once('disconnected', () => resolve('lost'));
      unanswered = setTimeout(() => resolve('lost'), this.retryMs * 10);
      watcher.once('connected', () => clearTimeout(unanswered));
    });
    clearTimeout(unanswered);
    if (ended === 'stopped') return ended;
    tracked.watcher = undefined;
    // Not awaited: a cancel that etcd never answers must not hold the next read.
    if (ended === 'lost') void watcher.cancel().catch(() => undefined);
    return 'lost';
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
