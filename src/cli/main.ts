#!/usr/bin/env node
// No Node options here: any V8 flag makes Node refuse the code cache of its own modules, which
// costs every CLI command ~10 ms. The daemon's options (src/daemon/nodeFlags.ts) are given where
// the daemon is launched: the systemd unit, the cron line, `npm start`.
import { tolerateClosedStdout } from './closedStdout.js';
import { quickAppCommand, runQuickAppCommand } from './quickCommand.js';

const quick = quickAppCommand(process.argv.slice(2));
if (quick) {
  await runQuickAppCommand(quick);
} else {
  tolerateClosedStdout();
  await (await import('./program.js')).runProgram(process.argv);
}
