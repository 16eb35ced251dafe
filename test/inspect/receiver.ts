// A stand-in for the Stately relay: a WebSocket server on 127.0.0.1 that keeps every message.
import { createServer } from 'node:net';
import { WebSocketServer } from 'ws';

export interface InspectorMessage {
  type: string;
  name?: string;
  sessionId: string;
  parentId?: string;
  snapshot?: { status?: string; value?: unknown; context?: Record<string, unknown> };
  event?: { type: string };
}

export class Receiver {
  readonly messages: InspectorMessage[] = [];
  connections = 0;

  private constructor(private readonly server: WebSocketServer, readonly port: number) {
    server.on('connection', (socket) => {
      this.connections += 1;
      socket.on('message', (data) => this.messages.push(JSON.parse(data.toString()) as InspectorMessage));
    });
  }

  static async start(port = 0): Promise<Receiver> {
    const server = new WebSocketServer({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('unexpected address');
    return new Receiver(server, address.port);
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** The actor registered under `name` (supervisor or app), if announced. */
  actor(name: string): InspectorMessage | undefined {
    return this.messages.find((m) => m.type === '@xstate.actor' && m.name === name);
  }

  snapshotsOf(sessionId: string): InspectorMessage[] {
    return this.messages.filter((m) => m.type === '@xstate.snapshot' && m.sessionId === sessionId);
  }

  async close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A loopback port nobody listens on (taken from the OS, then released). */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('unexpected address');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

/** A logger that keeps its lines. */
export function memoryLogger() {
  const lines: Array<{ level: string; message: string }> = [];
  const at = (level: string) => (message: string) => void lines.push({ level, message });
  return { lines, info: at('info'), warn: at('warn'), debug: at('debug') };
}
