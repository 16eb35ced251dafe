import http from 'node:http';
import type { StatusJson } from '../../../src/control/types.js';
import { waitFor } from '../../fixtures/git/waitFor.js';

/** One server-sent event as the stream carried it. */
export interface SseEvent {
  event: string;
  data: string;
}

/** A raw reader of an event stream: every event and comment line, in order, and how it ended. */
export class SseClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  status = 0;
  headers: http.IncomingHttpHeaders = {};
  /** Set when the server ended the stream (or the connection broke). */
  ended = false;
  private readonly request: http.ClientRequest;
  private buffer = '';

  constructor(url: string) {
    this.request = http.get(url, { agent: false }, (res) => {
      this.status = res.statusCode ?? 0;
      this.headers = res.headers;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => this.feed(chunk));
      res.on('end', () => (this.ended = true));
      res.on('error', () => (this.ended = true));
      res.on('close', () => (this.ended = true));
    });
    this.request.on('error', () => (this.ended = true));
  }

  /** The statuses received, parsed. */
  statuses(): StatusJson[] {
    return this.events.filter((e) => e.event === 'status').map((e) => JSON.parse(e.data) as StatusJson);
  }

  async waitForStatus(cond: (status: StatusJson) => boolean, what: string, timeoutMs = 5000): Promise<StatusJson> {
    return waitFor(() => this.statuses().find(cond), { timeoutMs, what });
  }

  waitOpen(timeoutMs = 5000): Promise<boolean> {
    return waitFor(() => this.status !== 0, { timeoutMs, what: 'the event stream to answer' });
  }

  waitEnded(timeoutMs = 5000): Promise<boolean> {
    return waitFor(() => this.ended, { timeoutMs, what: 'the event stream to end' });
  }

  /** Hang up, as a closed browser tab does. */
  close(): void {
    this.request.destroy();
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
        else if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length > 0) this.events.push({ event, data: data.join('\n') });
    }
  }
}
