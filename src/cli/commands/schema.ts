import type { Command } from 'commander';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .summary('print the JSON Schema of app configs')
    .description('Print the JSON Schema (draft-07) of app config files, for editors to complete and '
      + 'check JSON configs. Also documents every key, its type and its default.')
    .addHelpText('after', '\nExample:\n  huddle schema > huddle.schema.json   # then "$schema": "./huddle.schema.json" in a JSON config')
    .action(async () => {
      const { appConfigSchema } = await import('../../config/index.js');
      process.stdout.write(`${JSON.stringify(appConfigSchema, null, 2)}\n`);
    });
}
