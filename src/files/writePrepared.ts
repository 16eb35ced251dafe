import { chmod, chown, mkdir, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { FileDeployError } from './fileDeployError.js';
import type { PreparedFile } from './prepareFile.js';

// All-or-nothing as far as the file system allows: every temp file is written, synced, chowned and
// chmodded before the first rename, so a full disk or a permission problem on any entry leaves
// every target as it was. Only a failing rename (rare once the temp file sits beside the target)
// can leave a deployment half applied, and the error then says so.

const DIR_MODE = 0o755;

/** A writer that stopped because another one failed; never reported itself. */
class StagingAborted extends Error {}

/** Write `files` (all needing a write); throws FileDeployError naming the first entry that failed. */
export async function writePrepared(files: PreparedFile[]): Promise<void> {
  if (files.length === 0) return;
  const createdDirs: string[] = [];
  try {
    for (const file of files) createdDirs.push(...(await makeParents(file)));
  } catch (error) {
    await removeEmptyDirs(createdDirs);
    throw error;
  }

  let staged = 0;
  let release!: () => void;
  let abort!: (error: Error) => void;
  const allStaged = new Promise<void>((resolve, reject) => {
    release = resolve;
    abort = reject;
  });
  allStaged.catch(() => undefined); // A failure before anyone waits is still handled below.

  const results = await Promise.allSettled(
    files.map(async (file) => {
      try {
        await writeFileAtomic(file.target, file.data, {
          mode: file.mode,
          beforeRename: async (temp) => {
            if (file.uid !== undefined || file.gid !== undefined) await chown(temp, file.uid ?? -1, file.gid ?? -1);
            // After chown, which clears setuid/setgid; and exact, whatever the umask.
            await chmod(temp, file.mode);
            if (++staged === files.length) release();
            await allStaged;
          },
        });
      } catch (error) {
        abort(new StagingAborted());
        throw error;
      }
    }),
  );

  const failedAt = results.findIndex((r) => r.status === 'rejected' && !(r.reason instanceof StagingAborted));
  if (failedAt < 0) return;
  const failed = files[failedAt]!;
  const reason = (results[failedAt] as PromiseRejectedResult).reason as NodeJS.ErrnoException;
  const replaced = results.filter((r) => r.status === 'fulfilled').length;
  await removeEmptyDirs(createdDirs);
  const partial = replaced > 0 ? `; ${replaced} other file(s) were already replaced` : '; no file was changed';
  throw new FileDeployError(failed.index, failed.target, undefined, `not written: ${reason.message}${partial}`, {
    cause: reason,
  });
}

/** Create the missing parents of the target at 0755; returns the directories made, outermost first. */
async function makeParents(file: PreparedFile): Promise<string[]> {
  const dir = path.dirname(file.target);
  let first: string | undefined;
  try {
    first = await mkdir(dir, { recursive: true, mode: DIR_MODE });
  } catch (error) {
    throw new FileDeployError(file.index, file.target, 'path', `cannot create ${dir}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (first === undefined) return [];
  const made: string[] = [];
  for (let d = dir; ; d = path.dirname(d)) {
    made.unshift(d);
    if (d === first || path.dirname(d) === d) break;
  }
  // mkdir's mode goes through the umask; the deployment promises 0755.
  for (const d of made) await chmod(d, DIR_MODE);
  return made;
}

async function removeEmptyDirs(dirs: string[]): Promise<void> {
  // Innermost first; rmdir refuses a directory that is not empty, so nothing written is lost.
  for (const dir of [...dirs].reverse()) await rmdir(dir).catch(() => undefined);
}
