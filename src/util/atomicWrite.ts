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
  await mkdir(dir, { recursive: true });
  const temp = `${file}.tmp-${process.pid}-${++tempCounter}`;
  try {
    const handle = await open(temp, 'wx', options.mode ?? 0o600);
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
