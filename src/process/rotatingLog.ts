import { closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export const DEFAULT_LOG_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_LOG_FILES = 3;

/**
 * An append-only log file that rotates by size: `file` is current, `file.1` the previous one …
 * `file.<files>` the oldest kept. Writes are synchronous appends to an open descriptor: ordered,
 * exact about sizes, and a few microseconds each into the page cache; an app's output is
 * consumed as fast as it comes and never waits on this writer.
 *
 * A chunk is split at the last newline that fits, so lines rarely straddle two files. Write
 * errors (disk full) are counted, not thrown: losing log lines must never stop an app.
 */
export class RotatingLog {
  readonly file: string;
  readonly maxBytes: number;
  readonly files: number;
  private fd: number | undefined;
  private size = 0;
  private closed = false;
  /** Bytes that could not be written. */
  lostBytes = 0;

  constructor(file: string, maxBytes = DEFAULT_LOG_MAX_BYTES, files = DEFAULT_LOG_FILES) {
    if (!(maxBytes > 0)) throw new Error(`log size limit must be positive, got ${maxBytes}`);
    this.file = file;
    this.maxBytes = maxBytes;
    this.files = Math.max(0, Math.floor(files));
    mkdirSync(dirname(file), { recursive: true });
    this.open();
  }

  private open(): void {
    this.fd = openSync(this.file, 'a', 0o640);
    this.size = fstatSync(this.fd).size;
  }

  write(chunk: Buffer | string): void {
    if (this.closed) return;
    let data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    try {
      // A failed rotation or open left no file open: try again with this chunk.
      if (this.fd === undefined) this.open();
      while (data.length > 0) {
        const room = this.maxBytes - this.size;
        if (data.length <= room) {
          this.append(data);
          return;
        }
        const newline = room > 0 ? data.lastIndexOf(0x0a, room - 1) : -1;
        if (newline >= 0) {
          this.append(data.subarray(0, newline + 1));
          data = data.subarray(newline + 1);
        } else if (this.size === 0) {
          // One line longer than a whole file: cut it.
          this.append(data.subarray(0, room));
          data = data.subarray(room);
        }
        this.rotate();
      }
    } catch {
      this.lostBytes += data.length;
    }
  }

  private append(data: Buffer): void {
    if (this.fd === undefined) return;
    let offset = 0;
    while (offset < data.length) offset += writeSync(this.fd, data, offset, data.length - offset);
    this.size += data.length;
  }

  private rotate(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    if (this.files === 0) {
      rmSync(this.file, { force: true });
    } else {
      for (let i = this.files - 1; i >= 1; i--) {
        try {
          renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
        } catch {
          // That generation does not exist yet.
        }
      }
      renameSync(this.file, `${this.file}.1`);
    }
    this.open();
  }

  close(): void {
    this.closed = true;
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // Nothing left to do with a descriptor that will not close.
    }
    this.fd = undefined;
  }
}
