import { closeSync, fsync, mkdirSync, openSync, renameSync, rmSync, writeFile, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

// Replace a file so that readers, and a crash or power loss, see the old content or the new one,
// never a mix: temp file in the same directory, fsync, rename, fsync the directory.

export interface AtomicWriteOptions {
  mode?: number;
  /** Test seam: runs after the temp file is written and synced, before the rename. */
  beforeRename?: (tempFile: string) => Promise<void> | void;
}

let tempCounter = 0;
export const TEMP_SUFFIX = /\.tmp-\d+-\d+$/;

const fsyncAsync = promisify(fsync);
const writeFileAsync = promisify(writeFile);
/**
 * Up to this size the content is written on the calling thread, like the open, close and rename:
 * calls the page cache answers at once. Only the fsyncs, which wait for the disk, go to libuv's
 * pool: a state save went from nine trips through it (about 1 ms of CPU, measured in the middle
 * of a crash restart) to two. Bigger content (deployed files) is written through the pool too, so
 * the event loop never waits on megabytes.
 */
const WRITE_ON_THREAD_BYTES = 64 * 1024;

/** Replace `file` with `data` so that readers (and a crash) see the old or the new content only. */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = path.dirname(file);
  const temp = `${file}.tmp-${process.pid}-${++tempCounter}`;
  try {
    const fd = openNew(temp, options.mode ?? 0o600);
    try {
      if (byteLength(data) <= WRITE_ON_THREAD_BYTES) writeFileSync(fd, data);
      else await writeFileAsync(fd, data);
      await fsyncAsync(fd);
    } finally {
      closeSync(fd);
    }
    await options.beforeRename?.(temp);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  await syncDir(dir);
}

function byteLength(data: string | Uint8Array): number {
  return typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
}

/** Open a file that must not exist yet; the directory is made only when the open finds none (a first write). */
function openNew(file: string, mode: number): number {
  try {
    return openSync(file, 'wx', mode);
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw error;
    mkdirSync(path.dirname(file), { recursive: true });
    return openSync(file, 'wx', mode);
  }
}

/**
 * Replace `file` so that readers, and a crash of this process, see the old content or the new one:
 * temp file and rename on the calling thread, without the fsyncs. For records that a power loss
 * makes moot (no process outlives one), which a restart writes while the new process is starting.
 */
export function replaceFileSync(file: string, data: string, mode = 0o600): void {
  const temp = `${file}.tmp-${process.pid}-${++tempCounter}`;
  try {
    const fd = openNew(temp, mode);
    try {
      writeFileSync(fd, data);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Make a rename durable: the directory entry lives in the directory. */
async function syncDir(dir: string): Promise<void> {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    await fsyncAsync(fd);
  } catch (error) {
    // Some file systems cannot fsync a directory; the rename is still atomic there.
    if (!isCode(error, 'EINVAL', 'EISDIR', 'EPERM', 'EBADF')) throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function isCode(error: unknown, ...codes: string[]): boolean {
  return typeof error === 'object' && error !== null && codes.includes((error as NodeJS.ErrnoException).code ?? '');
}
