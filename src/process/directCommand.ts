import { realpathSync, statSync, type Stats } from 'node:fs';

// An app's command is a shell command line, but most are a program and its arguments
// (`python3 app.py`, `'/opt/venv/bin/gunicorn' -w 2 app:api`). Those are started without the
// shell, as make does: `/bin/sh -c 'exec …'` costs every start and every crash restart a second
// exec, about 2 ms here, for no change in meaning. "No change" is strict: only words made of
// plain characters and quotes whose content the shell takes literally, a first word that is no
// keyword, builtin or assignment, and PATH set wherever the shell would search it. Anything else,
// and any program the kernel refuses, goes through the shell as before (its error in the app's
// log, exit code 127 or 126).

const PLAIN = /^[A-Za-z0-9_\-./:,+=@%]$/;
// dash's and bash's keywords and builtins: the shell would not exec a program of that name.
const SHELL_WORDS = new Set(
  (
    '! { } [[ ]] case do done elif else esac fi for function if in select then time until while coproc ' +
    ': . [ alias bg bind break builtin caller cd chdir command compgen complete continue declare dirs disown echo ' +
    'enable eval exec exit export false fc fg getopts hash help history jobs kill let local logout mapfile popd ' +
    'printf pushd pwd read readarray readonly return set shift shopt source suspend test times trap true type ' +
    'typeset ulimit umask unalias unset wait'
  ).split(' '),
);

function words(command: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  while (i < command.length) {
    if (command[i] === ' ' || command[i] === '\t') {
      i++;
      continue;
    }
    let word = '';
    while (i < command.length && command[i] !== ' ' && command[i] !== '\t') {
      const c = command[i] ?? '';
      if (c === "'" || c === '"') {
        const end = command.indexOf(c, i + 1);
        if (end < 0) return undefined;
        const quoted = command.slice(i + 1, end);
        // Inside double quotes the shell still expands $, ` and \.
        if (c === '"' && /[$`\\]/.test(quoted)) return undefined;
        word += quoted;
        i = end + 1;
      } else if (PLAIN.test(c)) {
        word += c;
        i++;
      } else {
        return undefined;
      }
    }
    out.push(word);
  }
  return out;
}

/** The program and arguments of `command` when the shell would run exactly that, else undefined. */
export function directArgv(command: string, env: Readonly<Record<string, string>>): string[] | undefined {
  const argv = words(command);
  const program = argv?.[0];
  if (!argv || !program || program.includes('=') || SHELL_WORDS.has(program)) return undefined;
  // Without PATH the shell and execvp search different default lists.
  if (!program.includes('/') && env.PATH === undefined) return undefined;
  return argv;
}

/**
 * The PWD the shell would export in `cwd`: the inherited one if it names that directory, else the
 * physical path. `cwdStat`: the caller's stat of `cwd`, when it has one (a start checks the directory).
 */
export function shellPwd(cwd: string, inherited: string | undefined, cwdStat?: Stats): string {
  try {
    if (inherited?.startsWith('/')) {
      const [a, b] = [statSync(inherited), cwdStat ?? statSync(cwd)];
      if (a.dev === b.dev && a.ino === b.ino) return inherited;
    }
    return realpathSync(cwd);
  } catch {
    return cwd;
  }
}
