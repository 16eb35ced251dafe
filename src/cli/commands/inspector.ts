import type { Command } from 'commander';

export function registerInspector(program: Command): void {
  program
    .command('inspector')
    .description('serve the Stately inspector page on 127.0.0.1 and relay `huddle run --inspect` to it')
    .option('--port <port>', 'port of the page and of the WebSocket', '8080')
    .action(async (opts: { port: string }) => {
      // The relay's WebSocket server is loaded only for this command.
      const { startInspectorRelay } = await import('../../inspect/relay.js');
      const relay = await startInspectorRelay({ port: Number(opts.port) });
      process.stdout.write(`open ${relay.pageUrl} in a browser; run huddle with --inspect (default ${relay.socketUrl})\n`);
      const stop = () => void relay.close();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
