#!/usr/bin/env node
import { Command } from 'commander';
import { registerValidate } from './commands/validate.js';
import { registerSchema } from './commands/schema.js';
import { registerChart } from './commands/chart.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('huddle')
    .description('Pull-based deployment and supervision of applications from git, one node at a time.')
    .version('0.1.0')
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true });
  registerValidate(program);
  registerSchema(program);
  registerChart(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
