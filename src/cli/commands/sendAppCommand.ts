import { tolerateClosedStdout } from '../closedStdout.js';
import { sendCommand } from '../../control/client.js';
import type { ControlAction } from '../../control/types.js';

/** One app command to the daemon; its answer goes to stdout, or to stderr with exit code 1. */
export async function sendAppCommand(app: string, action: ControlAction, stateDir: string, commit?: string): Promise<void> {
  const result = await sendCommand(stateDir, app, action, commit === undefined ? {} : { commit });
  // Only now: building the stdout stream before the request would delay it.
  tolerateClosedStdout();
  (result.ok ? process.stdout : process.stderr).write(`${result.message}\n`);
  if (!result.ok) process.exitCode = 1;
}
