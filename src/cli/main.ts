#!/usr/bin/env node
// No Node options here: any V8 flag makes Node refuse the code cache of its own modules, which
// costs every CLI command ~10 ms. The daemon's options (src/daemon/nodeFlags.ts) are given where
// the daemon is launched: the systemd unit, the cron line, `npm start`.
import { quickAppCommand, runQuickAppCommand } from './quickCommand.js';

// `huddle chart app | head`: a reader that goes away is not an error. The daemon keeps running
// when whoever read its stdout is gone; its apps matter more than its log lines.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  const daemon = process.argv.includes('run') || process.argv.includes('-c') || process.argv.includes('--config');
  if (!daemon) process.exit(0);
});

const quick = quickAppCommand(process.argv.slice(2));
if (quick) await runQuickAppCommand(quick);
else await (await import('./program.js')).runProgram(process.argv);
