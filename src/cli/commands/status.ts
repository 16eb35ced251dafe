import type { Command } from 'commander';
import { defaultStateDir } from '../../daemon/paths.js';
import { fail } from '../fail.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description("show every app's state, commit, uptime, restarts, health and last error")
    .option('--json', 'print machine-readable JSON')
    .option('--state-dir <dir>', "the daemon's state dir", defaultStateDir())
    .action(async (opts: { json?: boolean; stateDir: string }) => {
      try {
        const [{ getStatus }, { formatStatusTable }] = await Promise.all([import('../../control/client.js'), import('../../control/statusTable.js')]);
        const status = await getStatus(opts.stateDir);
        process.stdout.write(opts.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatusTable(status, new Date()));
      } catch (error) {
        fail(error);
      }
    });
}
