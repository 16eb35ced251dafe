import { readFileSync } from 'node:fs';

// Running an app (and its git, hooks and install) as another user, the way su does: uid, the
// group, and HOME/USER/LOGNAME of that user, so git and package managers read their own config
// rather than root's (which they could not read anyway).

export interface RunAs {
  uid: number;
  gid: number;
  user: string;
  home: string;
}

const NUMERIC = /^\d+$/;

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

function readDatabase(file: string): string[][] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'));
}

function passwd(file: string): PasswdEntry[] {
  return readDatabase(file)
    .filter((f) => f.length >= 7 && NUMERIC.test(f[2] ?? '') && NUMERIC.test(f[3] ?? ''))
    .map((f) => ({ name: f[0] ?? '', uid: Number(f[2]), gid: Number(f[3]), home: f[5] || '/' }));
}

export class AccountError extends Error {
  override readonly name = 'AccountError';
}

/**
 * The account `user` (name or uid) with `group` (name or gid; default the user's primary group).
 * Throws AccountError naming what is unknown. Reads /etc/passwd and /etc/group (no NSS).
 */
export function lookupAccount(
  user: string | number | undefined,
  group: string | number | undefined,
  files: { passwd: string; group: string } = { passwd: '/etc/passwd', group: '/etc/group' },
): RunAs {
  const users = passwd(files.passwd);
  const spec = user === undefined ? String(process.getuid?.() ?? 0) : String(user);
  const entry = NUMERIC.test(spec) ? users.find((u) => u.uid === Number(spec)) : users.find((u) => u.name === spec);
  if (!entry && !NUMERIC.test(spec)) throw new AccountError(`unknown user "${spec}" (not in ${files.passwd})`);
  const account: RunAs = entry
    ? { uid: entry.uid, gid: entry.gid, user: entry.name, home: entry.home }
    : { uid: Number(spec), gid: Number(spec), user: spec, home: '/' };
  if (group === undefined) return account;
  const gspec = String(group);
  if (NUMERIC.test(gspec)) return { ...account, gid: Number(gspec) };
  const found = readDatabase(files.group).find((f) => f[0] === gspec && NUMERIC.test(f[2] ?? ''));
  if (!found) throw new AccountError(`unknown group "${gspec}" (not in ${files.group})`);
  return { ...account, gid: Number(found[2]) };
}

/** spawn() options and env entries that make a child run as `runAs` (nothing when undefined). */
export function spawnAs(runAs: RunAs | undefined): { uid?: number; gid?: number } {
  return runAs ? { uid: runAs.uid, gid: runAs.gid } : {};
}

export function envAs(runAs: RunAs | undefined): Record<string, string> {
  return runAs ? { HOME: runAs.home, USER: runAs.user, LOGNAME: runAs.user } : {};
}
