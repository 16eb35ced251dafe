// A remote's URL may carry its credentials (https://user:token@host/repo.git), and git passes the
// URL on: as an argument of git itself and of the helper it starts (git-remote-https), both of
// which any local user can read in `ps` or /proc/<pid>/cmdline. A process's environment can be read
// by its own user and root only. So the credentials leave the URL and reach git through the
// environment: a credential helper, set for that one git process, that answers with them. It names
// the variables only, so its command line holds no secret either. A clone stores the URL without
// them in the checkout's .git/config as well.

const USERNAME_VAR = 'HUDDLE_GIT_USERNAME';
const PASSWORD_VAR = 'HUDDLE_GIT_PASSWORD';

// git runs a helper starting with `!` through the shell, the action (get, store, erase) appended.
const HELPER = `!f() { test "$1" = get && printf 'username=%s\\npassword=%s\\n' "$${USERNAME_VAR}" "$${PASSWORD_VAR}"; }; f`;

// http(s) only: an ssh URL's user is a login name, and ssh needs it in the URL. The user
// information runs to the last @ before the path, as git reads it. A user alone is taken out as
// well: `https://${GIT_TOKEN}@host/…` carries a token as the user name.
const HTTP_WITH_USER = /^(https?:\/\/)([^/]*)@([^@/]*(?:\/.*)?)$/is;

export interface GitArgsWithoutCredentials {
  args: string[];
  /** To add to git's environment (empty when no argument held credentials). */
  env: Record<string, string>;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    // Not valid percent-encoding: git would send it as written.
    return part;
  }
}

/**
 * `args` with the credentials of an http(s) URL taken out, and the environment that gives them to
 * git. `baseEnv` is the environment git gets otherwise: configuration it already passes through
 * GIT_CONFIG_COUNT is kept, the helper's entries added after it.
 */
export function credentialsOutOfArgs(args: readonly string[], baseEnv: NodeJS.ProcessEnv): GitArgsWithoutCredentials {
  let found: { user: string; password: string; withPassword: boolean } | undefined;
  const out = args.map((arg) => {
    const match = HTTP_WITH_USER.exec(arg);
    if (!match) return arg;
    const [, scheme = '', userinfo = '', rest = ''] = match;
    const colon = userinfo.indexOf(':');
    found ??= colon === -1
      ? { user: decode(userinfo), password: '', withPassword: false }
      : { user: decode(userinfo.slice(0, colon)), password: decode(userinfo.slice(colon + 1)), withPassword: true };
    return `${scheme}${rest}`;
  });
  if (!found) return { args: out, env: {} };
  const count = Number(baseEnv.GIT_CONFIG_COUNT ?? '0');
  let next = Number.isInteger(count) && count > 0 ? count : 0;
  const env: Record<string, string> = { [USERNAME_VAR]: found.user, [PASSWORD_VAR]: found.password };
  const add = (value: string): void => {
    env[`GIT_CONFIG_KEY_${next}`] = 'credential.helper';
    env[`GIT_CONFIG_VALUE_${next}`] = value;
    next++;
  };
  // With a password, an empty value first: no helper configured elsewhere is asked, or told to
  // store them. A user alone leaves those helpers first in line, as git asked them before for
  // the password the URL lacked (ours answers an empty one, which is what git sent without them).
  if (found.withPassword) add('');
  add(HELPER);
  env.GIT_CONFIG_COUNT = String(next);
  return { args: out, env };
}
