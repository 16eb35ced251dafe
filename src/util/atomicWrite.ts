import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

// Replace a file so that readers, and a crash or power loss, see the old content or the new one,
// never a mix: temp file in the same directory, fsync, rename, fsync the directory.

export interface AtomicWriteOptions {
  mode?: number;
  /** Test seam: runs after the temp file is written and synced, before the rename. */
  beforeRename?: (tempFile: string) => Promise<void> | void;
}

let tempCounter = 0;
export const TEMP_SUFFIX = /\.tmp-\d+-\d+$/;

/** Replace `file` with `data` so that readers (and a crash) see the old or the new content only. */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = path.dirname(file);
  const temp = `${file}.tmp-${process.pid}-${++tempCounter}`;
  try {
    // The directory is there but for the first write: make it only when the open says so.
    const handle = await open(temp, 'wx', options.mode ?? 0o600).catch(async (error: unknown) => {
      if (!isCode(error, 'ENOENT')) throw error;
      await mkdir(dir, { recursive: true });
      return open(temp, 'wx', options.mode ?? 0o600);
    });
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await options.beforeRename?.(temp);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDir(dir);
}

/**
 * Replace `file` so that readers, and a crash of this process, see the old content or the new one:
 * temp file and rename, without fsync, on the calling thread. For records that a power loss makes
 * moot (no process outlives one): a few system calls instead of nine trips through libuv's pool,
 * which a restart pays while the new process is starting.
 */
export function replaceFileSync(file: string, data: string, mode = 0o600): void {
  const temp = `${file}.tmp-${process.pid}-${++tempCounter}`;
  try {
    try {
      writeFileSync(temp, data, { mode, flag: 'wx' });
    } catch (error) {
      if (!isCode(error, 'ENOENT')) throw error;
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(temp, data, { mode, flag: 'wx' });
    }
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Make a rename durable: the directory entry lives in the directory. */
async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Some file systems cannot fsync a directory; the rename is still atomic there.
    if (!isCode(error, 'EINVAL', 'EISDIR', 'EPERM', 'EBADF')) throw error;
  } finally {
    await handle?.close();
  }
}

function isCode(error: unknown, ...codes: string[]): boolean {
  return typeof error === 'object' && error !== null && codes.includes((error as NodeJS.ErrnoException).code ?? '');
}
