import type { FileEntry } from './fileEntry.js';

/** What is wrong with one `files` entry; `key` is the entry field at fault (or undefined for I/O). */
export class FileDeployError extends Error {
  override readonly name = 'FileDeployError';

  constructor(
    readonly index: number,
    /** The target path as configured (or resolved, when known). */
    readonly path: string,
    readonly key: keyof FileEntry | undefined,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`files[${index}]${key ? `.${key}` : ''} (${path}): ${problem}`, options);
  }
}
