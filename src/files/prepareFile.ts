import { constants } from 'node:fs';
import { access, lstat, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { FileDeployError } from './fileDeployError.js';
import type { FileDeployContext, FileEntry } from './fileEntry.js';
import type { IdResolver } from './idDatabase.js';
import { readSourceFile } from './sourceFile.js';

/** Everything needed to write one entry, worked out before any file is touched. */
export interface PreparedFile {
  index: number;
  target: string;
  data: Buffer;
  mode: number;
  /** undefined: ownership is not managed (a new file gets the daemon's). */
  uid: number | undefined;
  gid: number | undefined;
  /** False when the bytes, mode and managed ownership on disk already match. */
  needsWrite: boolean;
}

const MODE = /^(?:0o)?([0-7]{3,4})$/;

export async function prepareFile(
  entry: FileEntry,
  index: number,
  ctx: FileDeployContext,
  ids: IdResolver,
): Promise<PreparedFile> {
  const shown = typeof entry?.path === 'string' && entry.path !== '' ? entry.path : '?';
  const fail = (key: keyof FileEntry | undefined, problem: string, cause?: unknown): never => {
    throw new FileDeployError(index, shown, key, problem, cause === undefined ? undefined : { cause });
  };

  if (typeof entry !== 'object' || entry === null) fail(undefined, 'an entry must be an object');
  if (typeof entry.path !== 'string' || entry.path === '') fail('path', 'path must be a non-empty string');
  if (entry.path.endsWith('/')) fail('path', 'path names a directory; give the file name');
  const hasContent = entry.content !== undefined;
  const hasSource = entry.source !== undefined;
  if (hasContent === hasSource) fail(hasContent ? 'source' : 'content', 'give exactly one of content and source');
  if (hasContent && typeof entry.content !== 'string') fail('content', 'content must be a string');
  if (hasSource && typeof entry.source !== 'string') fail('source', 'source must be a string');
  const modeMatch = typeof entry.mode === 'string' ? MODE.exec(entry.mode) : null;
  if (!modeMatch?.[1]) fail('mode', `mode must be octal permission bits like "0644", got ${JSON.stringify(entry.mode)}`);
  const mode = parseInt(modeMatch![1]!, 8);

  const target = path.resolve(ctx.configDir, entry.path);
  const uid = entry.owner === undefined ? undefined : await resolveId(ids, entry.owner, 'owner', fail);
  const gid = entry.group === undefined ? undefined : await resolveId(ids, entry.group, 'group', fail);
  checkPrivilege(uid, gid, fail);

  let data: Buffer;
  if (hasSource) {
    const read = await readSourceFile(ctx.checkoutDir, entry.source!);
    if (!read.ok) return fail('source', read.problem);
    data = read.data;
  } else {
    data = Buffer.from(entry.content!, 'utf8');
  }

  const onDisk = await lstat(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    if (error.code === 'ENOTDIR') return fail('path', `a parent of ${target} is not a directory`);
    return fail('path', `cannot inspect ${target}: ${error.message}`, error);
  });
  if (onDisk?.isDirectory()) fail('path', `${target} is a directory`);
  if (onDisk && !onDisk.isFile() && !onDisk.isSymbolicLink()) fail('path', `${target} exists and is not a regular file`);
  await checkWritable(path.dirname(target), fail);

  const root = process.getuid?.() === 0;
  let needsWrite = true;
  let keepUid = uid;
  let keepGid = gid;
  if (onDisk?.isFile()) {
    // Rewriting a file whose ownership is not managed should not quietly hand it to root.
    if (root) {
      keepUid ??= onDisk.uid;
      keepGid ??= onDisk.gid;
    }
    const sameMeta =
      (onDisk.mode & 0o7777) === mode && (uid === undefined || onDisk.uid === uid) && (gid === undefined || onDisk.gid === gid);
    if (sameMeta) {
      const current = await readFile(target).catch((error: Error) =>
        fail('path', `cannot read ${target} to compare it: ${error.message}`, error),
      );
      needsWrite = !current.equals(data);
    }
  }
  return { index, target, data, mode, uid: keepUid, gid: keepGid, needsWrite };
}

type Fail = (key: keyof FileEntry | undefined, problem: string, cause?: unknown) => never;

async function resolveId(ids: IdResolver, spec: unknown, key: 'owner' | 'group', fail: Fail): Promise<number> {
  if (typeof spec !== 'string') return fail(key, `${key} must be a name or a numeric id (as a string)`);
  const found = key === 'owner' ? await ids.user(spec) : await ids.group(spec);
  return found.ok ? found.id : fail(key, found.message);
}

/** Without root, chown only works to yourself and to groups you belong to; say so before writing anything. */
function checkPrivilege(uid: number | undefined, gid: number | undefined, fail: Fail): void {
  const me = process.getuid?.();
  if (me === undefined || me === 0) return;
  if (uid !== undefined && uid !== me) {
    fail('owner', `cannot give the file to uid ${uid}: the daemon runs as uid ${me}, not root`);
  }
  if (gid !== undefined) {
    const mine = new Set([process.getgid?.(), ...(process.getgroups?.() ?? [])]);
    if (!mine.has(gid)) fail('group', `cannot give the file to gid ${gid}: the daemon (uid ${me}) is not root and not in that group`);
  }
}

/** The nearest existing ancestor must be a directory we may create entries in. */
async function checkWritable(dir: string, fail: Fail): Promise<void> {
  let current = dir;
  for (;;) {
    try {
      const info = await stat(current);
      if (!info.isDirectory()) fail('path', `${current} is not a directory`);
      break;
    } catch (error) {
      if (error instanceof FileDeployError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') fail('path', `cannot inspect ${current}: ${(error as Error).message}`, error);
      const parent = path.dirname(current);
      if (parent === current) break;
      current = parent;
    }
  }
  try {
    await access(current, constants.W_OK | constants.X_OK);
  } catch (error) {
    fail('path', `not writable: cannot create files in ${current} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, error);
  }
}
