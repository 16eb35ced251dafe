import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

// What `createInspectorServer` from '@statelyai/inspect/server' does, bound to loopback (that
// one listens on every interface and shells out to open a browser): a page that embeds the
// Stately inspector and a WebSocket that passes huddle's messages on to it.

export interface RelayOptions {
  /** Default 8080, where huddle's inspector connects by default. */
  port?: number;
  /** Default 127.0.0.1; the messages hold app state, so keep it on loopback. */
  host?: string;
  /** The inspector UI the page embeds. */
  inspectorUrl?: string;
}

export interface InspectorRelay {
  /** Open this in a browser. */
  readonly pageUrl: string;
  /** Point `huddle run --inspect` here. */
  readonly socketUrl: string;
  close(): Promise<void>;
}

/** Messages kept for a page opened after huddle connected (the page replays them). */
const REPLAY = 500;

export async function startInspectorRelay(options: RelayOptions = {}): Promise<InspectorRelay> {
  const host = options.host ?? '127.0.0.1';
  const inspectorUrl = options.inspectorUrl ?? 'https://stately.ai/inspect';
  const server = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(bridgePage(inspectorUrl));
  });
  const sockets = new WebSocketServer({ server });
  const recent: string[] = [];
  sockets.on('connection', (socket) => {
    for (const message of recent) socket.send(message);
    socket.on('message', (data) => {
      const message = data.toString();
      recent.push(message);
      if (recent.length > REPLAY) recent.shift();
      for (const client of sockets.clients) {
        if (client !== socket && client.readyState === WebSocket.OPEN) client.send(message);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    pageUrl: `http://${authority}/`,
    socketUrl: `ws://${authority}`,
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// The page hands each message to the embedded inspector once it says it is ready.
function bridgePage(inspectorUrl: string): string {
  return `<!DOCTYPE html>
<html>
<head>
  <meta charset="utf-8">
  <title>huddle · Stately inspector</title>
  <style>* { margin: 0; padding: 0; } html, body { height: 100%; } iframe { width: 100%; height: 100%; border: none; }</style>
</head>
<body>
  <iframe id="inspector" src="${encodeURI(inspectorUrl)}"></iframe>
  <script>
    const iframe = document.getElementById('inspector');
    const waiting = [];
    let ready = false;
    window.addEventListener('message', (e) => {
      if (e.data && e.data.type === '@statelyai.connected') {
        ready = true;
        for (const event of waiting.splice(0)) iframe.contentWindow.postMessage(event, '*');
      }
    });
    const ws = new WebSocket('ws://' + location.host);
    ws.onmessage = (event) => {
      const data = JSON.parse(event.data);
      if (ready) iframe.contentWindow.postMessage(data, '*');
      else waiting.push(data);
    };
  </script>
</body>
</html>`;
}
