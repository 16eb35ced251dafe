import net from 'node:net';
import type { Prng } from './prng.js';

// Each app listens on one fixed port for the whole soak. The ports come from below Linux's
// ephemeral range (32768+), so an outgoing connection of another program never takes one while an
// app restarts; a port found taken then means a second instance of the app.

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function pickPorts(count: number, prng: Prng): Promise<number[]> {
  const ports: number[] = [];
  for (let attempt = 0; ports.length < count; attempt++) {
    if (attempt > 200) throw new Error('no free port found in 20000-32000');
    const port = Math.floor(prng.between(20_000, 32_000));
    if (!ports.includes(port) && (await isFree(port))) ports.push(port);
  }
  return ports;
}
