import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import type { InspectionEvent } from 'xstate';
import { redact, redactUrls } from '../util/redact.js';
import { InspectorSocket } from './inspectorSocket.js';
import { LiveActors } from './liveActors.js';

import { DEFAULT_INSPECTOR_URL } from './defaults.js';

export { DEFAULT_INSPECTOR_URL };

/** The part of the daemon's logger the inspector uses (a winston Logger fits). */
export interface InspectorLogger {
  info(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
  debug(message: string, meta?: Record<string, unknown>): unknown;
}

export interface InspectorOptions {
  /** WebSocket URL of a Stately inspector relay; default DEFAULT_INSPECTOR_URL. */
  url?: string;
  logger: InspectorLogger;
  /** Wait between connection attempts while nobody listens; default 2 s. */
  retryMs?: number;
  /** Literal values (env secrets) never to send; URL credentials are always blanked. */
  secrets?: () => Iterable<string>;
}

export interface StatelyInspector {
  /** Pass to `createActor(…, { inspect })` (alone or through combineInspectors). */
  readonly inspect: (event: InspectionEvent) => void;
  readonly url: string;
  /** Whether a receiver is connected now. */
  readonly connected: boolean;
  /** Connection attempts so far. */
  readonly attempts: number;
  /** Stops sending, cancels any retry and closes the connection; never holds the process. */
  stop(): Promise<void>;
}

// Only these reach the Stately inspector (microsteps and actions are not shown by it).
const FORWARDED = new Set<InspectionEvent['type']>(['@xstate.actor', '@xstate.snapshot', '@xstate.event']);

/**
 * Streams the whole actor system to the Stately inspector over a WebSocket. Nobody listening is
 * normal: it logs one line, retries in the background (never holding the event loop) and, when a
 * receiver appears, announces every live actor with its current state before streaming events.
 */
export function startInspector(options: InspectorOptions): StatelyInspector {
  const url = options.url ?? DEFAULT_INSPECTOR_URL;
  const shownUrl = redactUrls(url);
  const { logger } = options;
  const live = new LiveActors();
  let stopped = false;
  let down = false;
  let dropped = false;

  const send = (event: StatelyInspectionEvent): void => {
    if (stopped) return;
    const text = serialize(event, options.secrets?.() ?? []);
    if (text === undefined) {
      logger.debug(`stately inspector: cannot serialise a ${event.type} event, skipped`, { event: 'inspect' });
      return;
    }
    if (!socket.send(text) && socket.isOpen && !dropped) {
      dropped = true;
      logger.warn('stately inspector: the receiver is not keeping up, dropping events', { event: 'inspect', url: shownUrl });
    }
  };
  // The library's inspector converts xstate's events into the messages the Stately UI reads; the
  // transport (connection, retries, buffering) is huddle's own (see InspectorSocket).
  const converter = createInspector({ send }, { autoStart: false });
  const forward = (event: InspectionEvent): void => converter.inspect.next?.(event);

  const socket = new InspectorSocket({
    url,
    retryMs: options.retryMs ?? 2_000,
    onOpen: () => {
      down = false;
      dropped = false;
      logger.info(`stately inspector connected to ${shownUrl}`, { event: 'inspect', url: shownUrl, actors: live.size });
      for (const event of live.announce()) forward(event);
    },
    onDown: (reason, wasOpen) => {
      if (down) return;
      down = true;
      const retry = `retrying every ${Math.round((options.retryMs ?? 2_000) / 100) / 10} s in the background`;
      if (wasOpen) logger.warn(`stately inspector: connection to ${shownUrl} closed; ${retry}`, { event: 'inspect', url: shownUrl });
      else logger.warn(`stately inspector: nothing listens at ${shownUrl} (${reason}); ${retry}`, { event: 'inspect', url: shownUrl });
    },
  });

  const inspect = (event: InspectionEvent): void => {
    if (stopped) return;
    try {
      live.observe(event);
      if (socket.isOpen && FORWARDED.has(event.type)) forward(event);
    } catch (error) {
      // Inspection is a debugging aid: it must never break the charts it watches.
      logger.debug(`stately inspector: ${(error as Error).message}`, { event: 'inspect' });
    }
  };

  return {
    inspect,
    url,
    get connected() {
      return socket.isOpen;
    },
    get attempts() {
      return socket.attempts;
    },
    async stop() {
      if (stopped) return;
      // The library converts on a 0 ms timer: let the events already queued (the final snapshots
      // of a shutdown) go out before the socket closes. (Ref'd: the socket is not, and a caller
      // awaiting stop() must not see the process end under it.)
      if (socket.isOpen) await new Promise<void>((resolve) => setTimeout(resolve, 0));
      stopped = true;
      await socket.stop();
    },
  };
}

/** JSON for the wire, with errors readable and credentials blanked; undefined if it cannot be. */
function serialize(event: StatelyInspectionEvent, secrets: Iterable<string>): string | undefined {
  try {
    return JSON.stringify(event, (key, value: unknown) => {
      // Each string on its own: a pattern run over the whole JSON text could match across values.
      // `definition` is the chart itself (JSON in a string), which holds no credentials.
      if (typeof value === 'string') return key === 'definition' ? value : redact(value, secrets);
      if (value instanceof Error) return { name: value.name, message: redact(value.message, secrets) };
      if (typeof value === 'bigint') return value.toString();
      if (typeof value === 'function') return { type: value.name };
      return value;
    });
  } catch {
    // A circular value in an event: rare, and not worth failing the stream for.
    return undefined;
  }
}
