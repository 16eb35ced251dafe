import { readFile } from 'node:fs/promises';

// Owner and group names are resolved from /etc/passwd and /etc/group directly: Node has no
// getpwnam, and shelling out to `id` for each entry would be slower and harder to report on.
// NSS sources other than files (LDAP, sssd) are not consulted; numeric ids always work.

export const PASSWD_FILE = '/etc/passwd';
export const GROUP_FILE = '/etc/group';

const NUMERIC_ID = /^\d+$/;

export type IdLookup = { ok: true; id: number } | { ok: false; message: string };

/** name → id from a colon-separated database (`name:x:id:…`); later duplicates do not override. */
export function parseIdDatabase(text: string): Map<string, number> {
  const ids = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [name, , id] = line.split(':');
    if (!name || id === undefined || !NUMERIC_ID.test(id) || ids.has(name)) continue;
    ids.set(name, Number(id));
  }
  return ids;
}

/** Reads each database once per deployment. */
export class IdResolver {
  private readonly cache = new Map<string, Promise<Map<string, number>>>();

  constructor(
    private readonly passwdFile = PASSWD_FILE,
    private readonly groupFile = GROUP_FILE,
  ) {}

  user(spec: string): Promise<IdLookup> {
    return this.lookup(spec, this.passwdFile, 'user');
  }

  group(spec: string): Promise<IdLookup> {
    return this.lookup(spec, this.groupFile, 'group');
  }

  private async lookup(spec: string, file: string, kind: string): Promise<IdLookup> {
    if (NUMERIC_ID.test(spec)) {
      const id = Number(spec);
      // chown takes 32-bit ids; (uid_t)-1 means "leave unchanged", so it is no real id.
      if (id >= 0xffffffff) return { ok: false, message: `${kind} id ${spec} is out of range` };
      return { ok: true, id };
    }
    if (spec.trim() === '') return { ok: false, message: `${kind} must be a name or a numeric id` };
    let ids: Map<string, number>;
    try {
      ids = await this.database(file);
    } catch (error) {
      return { ok: false, message: `cannot read ${file} to resolve ${kind} "${spec}": ${(error as Error).message}` };
    }
    const id = ids.get(spec);
    return id === undefined ? { ok: false, message: `unknown ${kind} "${spec}" (not in ${file})` } : { ok: true, id };
  }

  private database(file: string): Promise<Map<string, number>> {
    let entry = this.cache.get(file);
    if (!entry) {
      entry = readFile(file, 'utf8').then(parseIdDatabase);
      this.cache.set(file, entry);
    }
    return entry;
  }
}
