import type { Command } from 'commander';
import type { AnyStateMachine } from 'xstate';
import type { ChartFormat } from '../../chart/index.js';

const chartFormats = ['mermaid', 'json', 'dot'] as const satisfies readonly ChartFormat[];

async function chartNamed(name: string): Promise<AnyStateMachine | undefined> {
  if (name === 'app') return (await import('../../../machines/app.machine.js')).appMachine;
  if (name === 'supervisor') return (await import('../../../machines/supervisor.machine.js')).supervisorMachine;
  return undefined;
}

export function registerChart(program: Command): void {
  program
    .command('chart')
    .summary('print a state chart (app or supervisor)')
    .description('Print the application or supervisor state chart, derived from the machine definition '
      + 'huddle runs: mermaid (stateDiagram-v2, the default), json (the machine\'s own definition) or dot.')
    .argument('<chart>', 'app or supervisor')
    .option('-f, --format <format>', `output format: ${chartFormats.join(', ')}`, 'mermaid')
    .addHelpText('after', '\nExamples:\n  huddle chart app > app.mmd\n  huddle chart supervisor --format dot | dot -Tsvg > supervisor.svg')
    .action(async (name: string, options: { format: string }, command: Command) => {
      const machine = await chartNamed(name);
      if (!machine) command.error(`huddle chart: unknown chart "${name}" (expected app or supervisor)`);
      if (!(chartFormats as readonly string[]).includes(options.format)) {
        command.error(`huddle chart: unknown format "${options.format}" (expected ${chartFormats.join(', ')})`);
      }
      const { renderChart } = await import('../../chart/index.js');
      process.stdout.write(renderChart(machine as AnyStateMachine, options.format as ChartFormat));
    });
}
