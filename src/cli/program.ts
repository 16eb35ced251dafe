import { Command } from 'commander';
import { registerAppCommands } from './commands/appCommands.js';
import { registerChart } from './commands/chart.js';
import { registerFleet } from './commands/fleet.js';
import { registerInspector } from './commands/inspector.js';
import { addRunOptions, registerRun, runDaemon, type RunOptions } from './commands/run.js';
import { registerSchema } from './commands/schema.js';
import { registerStartup } from './commands/startup.js';
import { registerStatus } from './commands/status.js';
import { registerValidate } from './commands/validateCommand.js';
import { dropTlsServernameWarning } from '../util/quietWarnings.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('huddle')
    .description('Pull-based deployment and supervision of applications from git, one node at a time.')
    .version('0.1.0')
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true })
    // The original huddle's command line: `huddle -c DIR [-d]` runs the daemon.
    .option('-c, --config <dir>', 'run the daemon on this config dir (as the original huddle did)')
    .option('-d, --debug', 'with -c: detailed output')
    .action(async (opts: { config?: string; debug?: boolean }) => {
      if (!opts.config) {
        program.help();
        return;
      }
      const defaults = addRunOptions(new Command()).opts<RunOptions>();
      process.exitCode = await runDaemon({
        ...defaults,
        configDir: opts.config,
        logLevel: opts.debug ? 'debug' : 'info',
      });
    });
  registerRun(program);
  registerStatus(program);
  registerAppCommands(program);
  registerValidate(program);
  registerSchema(program);
  registerChart(program);
  registerStartup(program);
  registerInspector(program);
  registerFleet(program);
  return program;
}

/** Parse the command line with the full program and run what it says. */
export async function runProgram(argv: string[]): Promise<void> {
  dropTlsServernameWarning();
  await buildProgram().parseAsync(argv);
}
