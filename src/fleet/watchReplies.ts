import type { EventEmitter } from 'node:events';
import { WatchManager } from 'etcd3/lib/watch.js';

/** The parts of etcd3's WatchManager (1.1.x, private there) this guard reads. */
interface WatchManagerInternals {
  watchers: Array<EventEmitter & { id: string | null }>;
  expectedClosers: Set<EventEmitter & { id: string | null }>;
  handleResponse(res: { watch_id: string; canceled?: boolean }): void;
}

let installed = false;

/**
 * etcd3 throws from inside its watch stream when etcd answers about a watch it no longer lists,
 * which an uncaught exception and a stream that delivers nothing more follow. etcd does that when
 * it cancels a watch itself (its revision was compacted while etcd was away) and then answers
 * the client's own cancel of it. Such a reply is about a watch that is over: the client's cancel
 * is told it is done, and nothing else happens.
 */
export function guardWatchReplies(): void {
  if (installed) return;
  installed = true;
  const proto = WatchManager.prototype as unknown as WatchManagerInternals;
  const handleResponse = proto.handleResponse;
  proto.handleResponse = function (this: WatchManagerInternals, res) {
    if (this.watchers.some((w) => w.id === res.watch_id)) {
      handleResponse.call(this, res);
      return;
    }
    const closing = [...this.expectedClosers].find((w) => w.id === res.watch_id);
    if (closing && res.canceled) {
      this.expectedClosers.delete(closing);
      closing.emit('end');
    }
  };
}
