#!/usr/bin/env node
import { Command } from 'commander';
import { registerAppCommands } from './commands/appCommands.js';
import { registerChart } from './commands/chart.js';
import { addRunOptions, registerRun, runDaemon, type RunOptions } from './commands/run.js';
import { registerSchema } from './commands/schema.js';
import { registerStartup } from './commands/startup.js';
import { registerStatus } from './commands/status.js';
import { registerValidate } from './commands/validate.js';

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
  return program;
}

await buildProgram().parseAsync(process.argv);
