import WebSocket from 'ws';

// @statelyai/inspect's own WebSocketAdapter retries a failed connection every 5 s on a ref'd
// timer that its stop() does not cancel (a stopped inspector reconnects, and the pending timer
// holds the process open). This socket owns its retries instead: the timer is unref'd and stop()
// cancels it, and the connected TCP socket is unref'd too, so a debugging aid never keeps the
// daemon alive or delays its exit.

export interface InspectorSocketOptions {
  url: string;
  /** Wait between a failed or lost connection and the next attempt. */
  retryMs: number;
  /** A connection opened (first or after a retry). */
  onOpen: () => void;
  /** An attempt failed or an open connection closed; `wasOpen` tells which. */
  onDown: (reason: string, wasOpen: boolean) => void;
}

/** Outgoing bytes queued in the socket beyond which messages are dropped (a stalled receiver). */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** A receiver that accepts TCP but never answers the handshake counts as down after this. */
const HANDSHAKE_TIMEOUT_MS = 5_000;
/** stop() waits this long for the close handshake before dropping the connection. */
const CLOSE_GRACE_MS = 250;

/** A WebSocket client that keeps reconnecting until stopped, without ever holding the event loop. */
export class InspectorSocket {
  private ws: WebSocket | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private attemptCount = 0;

  constructor(private readonly options: InspectorSocketOptions) {
    this.connect();
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Connection attempts made so far (first one included). */
  get attempts(): number {
    return this.attemptCount;
  }

  /** Sends if connected and the receiver keeps up; returns whether the message was queued. */
  send(text: string): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || ws.bufferedAmount > MAX_BUFFERED_BYTES) return false;
    ws.send(text);
    return true;
  }

  /**
   * Cancels any retry and closes the connection; resolves once the socket is gone. The grace timer
   * is ref'd on purpose: with an unref'd socket it alone keeps a caller that awaits stop() running.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const ws = this.ws;
    this.ws = undefined;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    if (ws.readyState === WebSocket.CONNECTING) {
      // terminate() aborts the handshake; the 'error' it emits lands on the listener set in connect().
      ws.terminate();
      return;
    }
    await new Promise<void>((resolve) => {
      const grace = setTimeout(() => {
        ws.terminate();
        resolve();
      }, CLOSE_GRACE_MS);
      ws.once('close', () => {
        clearTimeout(grace);
        resolve();
      });
      ws.close(1001, 'huddle stopping');
    });
  }

  private connect(): void {
    if (this.stopped) return;
    this.attemptCount += 1;
    let opened = false;
    let failure = 'closed';
    const ws = new WebSocket(this.options.url, { handshakeTimeout: HANDSHAKE_TIMEOUT_MS });
    this.ws = ws;
    ws.on('upgrade', (response) => response.socket.unref());
    ws.on('open', () => {
      opened = true;
      this.options.onOpen();
    });
    // Without this listener ws would throw; the reason is reported once, on 'close'.
    ws.on('error', (error: NodeJS.ErrnoException) => {
      failure = error.code ?? (error.message || String(error));
    });
    // Anything the receiver sends is ignored (the Stately relay sends nothing to producers).
    ws.on('message', () => undefined);
    ws.on('close', () => {
      if (this.ws === ws) this.ws = undefined;
      if (this.stopped) return;
      this.options.onDown(failure, opened);
      this.retryTimer = setTimeout(() => this.connect(), this.options.retryMs);
      this.retryTimer.unref();
    });
  }
}
