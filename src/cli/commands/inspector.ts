import type { Command } from 'commander';
import { startInspectorRelay } from '../../inspect/index.js';

export function registerInspector(program: Command): void {
  program
    .command('inspector')
    .description('serve the Stately inspector page on 127.0.0.1 and relay `huddle run --inspect` to it')
    .option('--port <port>', 'port of the page and of the WebSocket', '8080')
    .action(async (opts: { port: string }) => {
      const relay = await startInspectorRelay({ port: Number(opts.port) });
      process.stdout.write(`open ${relay.pageUrl} in a browser; run huddle with --inspect (default ${relay.socketUrl})\n`);
      const stop = () => void relay.close();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
