import { once } from 'node:events';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

// `huddle logs [-n N] [-f]` on the daemon side: the last N lines of an app's log file, then
// (following) whatever is appended, across rotation (the file renamed away and a new one created)
// and truncation (copytruncate). Bytes are passed through as they are, partial lines included,
// so the follow continues exactly where the tail stopped.

const CHUNK = 64 * 1024;
/** Never scan more than this backwards for N lines (a log without newlines). */
const MAX_TAIL_BYTES = 16 * 1024 * 1024;

function isCode(error: unknown, ...codes: string[]): boolean {
  return typeof error === 'object' && error !== null && codes.includes((error as NodeJS.ErrnoException).code ?? '');
}

/** Byte offset where the last `lines` lines before `end` begin. */
async function tailStart(handle: FileHandle, end: number, lines: number): Promise<number> {
  if (lines <= 0 || end === 0) return end;
  const buffer = Buffer.alloc(CHUNK);
  let position = end;
  // A final newline ends the last line; it does not start an empty one.
  let newlines = 0;
  let skipFinal = true;
  while (position > 0 && end - position < MAX_TAIL_BYTES) {
    const size = Math.min(CHUNK, position);
    position -= size;
    const { bytesRead } = await handle.read(buffer, 0, size, position);
    for (let i = bytesRead - 1; i >= 0; i--) {
      if (buffer[i] !== 0x0a) {
        skipFinal = false;
        continue;
      }
      if (skipFinal) {
        skipFinal = false;
        continue;
      }
      if (++newlines === lines) return position + i + 1;
    }
  }
  return position;
}

async function openIfExists(file: string): Promise<FileHandle | null> {
  try {
    return await open(file, 'r');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return null;
    throw error;
  }
}

/** The last `lines` lines of `file` (none when it does not exist), without line ends. */
export async function tailFile(file: string, lines: number): Promise<string[]> {
  const handle = await openIfExists(file);
  if (!handle) return [];
  try {
    const end = (await handle.stat()).size;
    const start = await tailStart(handle, end, lines);
    const buffer = Buffer.alloc(end - start);
    await handle.read(buffer, 0, buffer.length, start);
    const text = buffer.toString('utf8');
    if (text === '') return [];
    return text.replace(/\n$/, '').split('\n');
  } finally {
    await handle.close();
  }
}

export interface WriteLogOptions {
  lines: number;
  follow: boolean;
  /** How often a follow looks for new data or a rotated file; default 200 ms. */
  pollMs?: number;
}

/**
 * Write the last `lines` lines of `file` to `out`, and with `follow` keep writing what is appended
 * until `signal` aborts. Never ends `out`. A missing file is waited for when following.
 */
export async function writeLogTail(file: string, options: WriteLogOptions, out: Writable, signal: AbortSignal): Promise<void> {
  let handle = await openIfExists(file);
  let position = 0;
  try {
    // The last bytes written out, which are the file's just before `position`: if the file's
    // change, it was truncated and rewritten (copytruncate) faster than we polled, and is read
    // again from the start. Kept from what was copied, never read again: a truncation right after
    // the copy must not become what the file is compared with.
    let seen: Buffer = NOTHING;
    if (handle) {
      const end = (await handle.stat()).size;
      ({ position, seen } = await copy(handle, await tailStart(handle, end, options.lines), end, out, signal));
    }
    if (!options.follow) return;
    const pollMs = options.pollMs ?? 200;
    while (!signal.aborted) {
      try {
        await sleep(pollMs, undefined, { signal });
      } catch {
        return; // aborted
      }
      // The followed file's inode never changes: one stat per poll gives both it and the size.
      let followedIno: number | null = null;
      if (handle) {
        const { size, ino } = await handle.stat();
        followedIno = ino;
        if (await wasTruncated(handle, size, position, seen)) {
          position = 0;
          seen = NOTHING;
        }
        ({ position, seen } = await copy(handle, position, size, out, signal, seen));
      }
      // Rotated? The path now names another file: finish the old one, switch.
      let pathIno: number | null;
      try {
        pathIno = (await stat(file)).ino;
      } catch (error) {
        if (!isCode(error, 'ENOENT')) throw error;
        pathIno = null; // between rename and create: keep reading the old file
      }
      if (pathIno !== null && pathIno !== followedIno) {
        if (handle && followedIno !== null) {
          // What reached the old file between the copy above and the rename would be lost otherwise.
          await copy(handle, position, (await handle.stat()).size, out, signal);
          // A reader held back (a slow client) may find several rotations at once: the files made
          // and rotated away meanwhile are now `file.1` … next to the old one, and come first.
          await copyRotatedSince(file, followedIno, out, signal);
        }
        await handle?.close();
        handle = await openIfExists(file);
        ({ position, seen } = handle ? await copy(handle, 0, (await handle.stat()).size, out, signal) : { position: 0, seen: NOTHING });
      }
    }
  } finally {
    await handle?.close();
  }
}

// Generations looked at for the file being followed (RotatingLog keeps `file.1` … `file.<files>`).
const MAX_GENERATIONS = 100;

/** After a switch: every whole generation newer than the one whose inode is `oldIno`, oldest first. */
async function copyRotatedSince(file: string, oldIno: number, out: Writable, signal: AbortSignal): Promise<void> {
  let generation = 0;
  for (let n = 1; n <= MAX_GENERATIONS; n++) {
    let ino: number;
    try {
      ino = (await stat(`${file}.${n}`)).ino;
    } catch (error) {
      if (isCode(error, 'ENOENT')) break;
      throw error;
    }
    if (ino === oldIno) {
      generation = n;
      break;
    }
  }
  // Not found (deleted, rotated by another scheme): nothing in between can be told apart.
  for (let n = generation - 1; n >= 1 && !signal.aborted; n--) {
    const rotated = await openIfExists(`${file}.${n}`);
    if (!rotated) continue;
    try {
      await copy(rotated, 0, (await rotated.stat()).size, out, signal);
    } finally {
      await rotated.close();
    }
  }
}

const GUARD_BYTES = 32;

const NOTHING = Buffer.alloc(0);

/** True when the file no longer holds `seen` just before `position`. */
async function wasTruncated(handle: FileHandle, size: number, position: number, seen: Buffer): Promise<boolean> {
  if (size < position) return true;
  if (seen.length === 0) return false;
  const now = Buffer.alloc(seen.length);
  const { bytesRead } = await handle.read(now, 0, seen.length, position - seen.length);
  return bytesRead !== seen.length || !now.equals(seen);
}

/** The last GUARD_BYTES of `before` followed by `chunk`, copied (the chunk's buffer is not kept). */
function lastBytesOf(before: Buffer, chunk: Buffer): Buffer {
  if (chunk.length >= GUARD_BYTES) return Buffer.from(chunk.subarray(chunk.length - GUARD_BYTES));
  const joined = Buffer.concat([before, chunk]);
  return joined.subarray(Math.max(0, joined.length - GUARD_BYTES));
}

/**
 * Copy bytes [from, to) to `out`, honouring backpressure. Returns where it stopped and the last
 * bytes before that point, from `seen` (the bytes before `from`) and what it copied.
 */
async function copy(handle: FileHandle, from: number, to: number, out: Writable, signal: AbortSignal, seen: Buffer = NOTHING): Promise<{ position: number; seen: Buffer }> {
  let position = from;
  let last = seen;
  while (position < to && !signal.aborted && !out.destroyed) {
    const buffer = Buffer.alloc(Math.min(CHUNK, to - position));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    last = lastBytesOf(last, buffer.subarray(0, bytesRead));
    if (!out.write(buffer.subarray(0, bytesRead))) {
      try {
        await once(out, 'drain', { signal });
      } catch {
        break; // aborted, or the stream failed: the caller's loop ends on the signal
      }
    }
  }
  return { position, seen: last };
}
