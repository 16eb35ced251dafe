import type { Command } from 'commander';
import type { ControlAction } from '../../control/types.js';
import { defaultStateDir } from '../../daemon/paths.js';
import { fail } from '../fail.js';
import { runQuickAppCommand } from '../quickCommand.js';

const ACTIONS: Array<[Exclude<ControlAction, 'deploy'>, string]> = [
  ['poll', 'check the remote for a new commit now'],
  ['restart', 'restart the app (also retries an app that was given up on)'],
  ['stop', 'stop the app and keep it stopped until `huddle start`'],
  ['start', 'start an app stopped with `huddle stop`'],
];

// The client (and node:http with it) is loaded by the command that talks to the daemon, not by
// every start of the CLI.
const client = () => import('../../control/client.js');

function send(app: string, action: ControlAction, stateDir: string, commit?: string): Promise<void> {
  return runQuickAppCommand({ action, app, stateDir, ...(commit === undefined ? {} : { commit }) });
}

export function registerAppCommands(program: Command): void {
  for (const [action, description] of ACTIONS) {
    program
      .command(`${action} <app>`)
      .description(description)
      .option('--state-dir <dir>', "the daemon's state dir", defaultStateDir())
      .action((app: string, opts: { stateDir: string }) => send(app, action, opts.stateDir));
  }
  program
    .command('deploy <app> <commit>')
    .description('deploy this commit (id, tag or branch) now, even one that was rolled back before')
    .option('--state-dir <dir>', "the daemon's state dir", defaultStateDir())
    .action((app: string, commit: string, opts: { stateDir: string }) => send(app, 'deploy', opts.stateDir, commit));
  program
    .command('logs <app>')
    .description("print the app's output (stdout and stderr)")
    .option('-n, --lines <n>', 'how many lines from the end', '50')
    .option('-f, --follow', 'keep printing new output until interrupted')
    .option('--state-dir <dir>', "the daemon's state dir", defaultStateDir())
    .action(async (app: string, opts: { lines: string; follow?: boolean; stateDir: string }) => {
      const lines = Number(opts.lines);
      if (!Number.isInteger(lines) || lines < 0) return fail(new Error(`--lines: not a count: ${opts.lines}`));
      const abort = new AbortController();
      process.once('SIGINT', () => abort.abort());
      try {
        const { streamLogs } = await client();
        await streamLogs(opts.stateDir, app, { lines, follow: Boolean(opts.follow), signal: abort.signal }, process.stdout);
      } catch (error) {
        fail(error);
      }
    });
}
