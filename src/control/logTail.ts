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
    // The bytes just before `position`: if they change, the file was truncated and rewritten
    // (copytruncate) faster than we polled, and is read again from the start.
    let seen: Buffer = Buffer.alloc(0);
    if (handle) {
      const end = (await handle.stat()).size;
      position = await tailStart(handle, end, options.lines);
      position = await copy(handle, position, end, out, signal);
      seen = await lastBytes(handle, position);
    }
    if (!options.follow) return;
    const pollMs = options.pollMs ?? 200;
    while (!signal.aborted) {
      try {
        await sleep(pollMs, undefined, { signal });
      } catch {
        return; // aborted
      }
      if (handle) {
        const size = (await handle.stat()).size;
        if (await wasTruncated(handle, size, position, seen)) position = 0;
        position = await copy(handle, position, size, out, signal);
        seen = await lastBytes(handle, position);
      }
      // Rotated? The path now names another file: finish the old one, switch.
      let pathIno: number | null;
      try {
        pathIno = (await stat(file)).ino;
      } catch (error) {
        if (!isCode(error, 'ENOENT')) throw error;
        pathIno = null; // between rename and create: keep reading the old file
      }
      if (pathIno !== null && (!handle || pathIno !== (await handle.stat()).ino)) {
        // What reached the old file between the copy above and the rename would be lost otherwise.
        if (handle) await copy(handle, position, (await handle.stat()).size, out, signal);
        await handle?.close();
        handle = await openIfExists(file);
        position = 0;
        if (handle) position = await copy(handle, 0, (await handle.stat()).size, out, signal);
        seen = handle ? await lastBytes(handle, position) : Buffer.alloc(0);
      }
    }
  } finally {
    await handle?.close();
  }
}

const GUARD_BYTES = 32;

async function lastBytes(handle: FileHandle, position: number): Promise<Buffer> {
  const length = Math.min(GUARD_BYTES, position);
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position - length);
  return buffer.subarray(0, bytesRead);
}

async function wasTruncated(handle: FileHandle, size: number, position: number, seen: Buffer): Promise<boolean> {
  if (size < position) return true;
  if (seen.length === 0) return false;
  return !(await lastBytes(handle, position)).equals(seen);
}

/** Copy bytes [from, to) to `out`, honouring backpressure; returns where it stopped. */
async function copy(handle: FileHandle, from: number, to: number, out: Writable, signal: AbortSignal): Promise<number> {
  let position = from;
  while (position < to && !signal.aborted && !out.destroyed) {
    const buffer = Buffer.alloc(Math.min(CHUNK, to - position));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    if (!out.write(buffer.subarray(0, bytesRead))) {
      try {
        await once(out, 'drain', { signal });
      } catch {
        break; // aborted, or the stream failed: the caller's loop ends on the signal
      }
    }
  }
  return position;
}
