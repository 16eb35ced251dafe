import type { Command } from 'commander';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .summary('check app config files or directories')
    .description(
      'Check app config files (.json, .ini) without running anything. A directory is checked the way '
      + 'huddle loads it: every *.json and *.ini file not starting with _ or ., plus unique app names '
      + 'and dependencies between them. Prints one line per valid file ("FILE: ok") and one line per '
      + 'error ("FILE: [section] key: what is wrong").')
    .argument('<paths...>', 'config files and/or config directories')
    .option('--print', 'print the normalised config of one FILE as JSON: every default filled in and '
      + 'original-huddle sections converted (credentials shown as ***)')
    .addHelpText('after', '\nExit status: 0 when every file is valid, 1 otherwise.\n\nExamples:\n'
      + '  huddle validate /etc/huddle/apps\n'
      + '  huddle validate web.ini db.json\n'
      + '  huddle validate --print web.ini')
    .action(async (paths: string[], options: { print?: boolean }) => {
      // The config loader (ajv and the schema) is loaded only when this command runs.
      const { runValidate } = await import('./validate.js');
      process.exitCode = runValidate(paths, options);
    });
}
