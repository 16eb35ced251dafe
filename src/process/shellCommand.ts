// dash (Debian's /bin/sh) does not exec the last command of `sh -c`, so `node app.js` would run
// as a child of a shell: one more process per app, and the exit code and signal huddle records
// would be the shell's (a SIGTERMed shell reports SIGTERM before the app has even finished its
// graceful shutdown). For a simple command, `exec` makes the app itself the process huddle
// watches. Anything that forms a compound command (lists, pipes, background jobs, groups,
// subshells, keywords) or starts with a variable assignment keeps the plain shell.

const COMPOUND = /[;&|\n(){}`]/;
const KEYWORD = /^(if|then|else|elif|fi|while|until|for|do|done|case|esac|!|exec|time|cd|\.|source|export|set|eval|trap|ulimit|umask)$/;

/** The argument for `/bin/sh -c` that runs `command`, exec'd into when that cannot change its meaning. */
export function shellCommandLine(command: string): string {
  const trimmed = command.trim();
  if (trimmed === '' || COMPOUND.test(trimmed)) return command;
  const first = trimmed.split(/\s+/, 1)[0] ?? '';
  if (first.includes('=') || KEYWORD.test(first)) return command;
  return `exec ${trimmed}`;
}
