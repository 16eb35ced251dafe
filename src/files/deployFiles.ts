import { FileDeployError } from './fileDeployError.js';
import type { FileDeployContext, FileDeployResult, FileEntry } from './fileEntry.js';
import { IdResolver } from './idDatabase.js';
import { prepareFile, type PreparedFile } from './prepareFile.js';
import { writePrepared } from './writePrepared.js';

/**
 * Place `entries` on the host. Every entry is validated, its source read and its owner resolved
 * before any file is written; only files whose bytes, mode or ownership differ are rewritten
 * (atomically), so `changed` is empty when nothing moved and the caller can skip its `reload`.
 */
export async function deployFiles(entries: FileEntry[], ctx: FileDeployContext): Promise<FileDeployResult> {
  const ids = new IdResolver();
  const prepared: PreparedFile[] = [];
  const seen = new Map<string, number>();
  // One at a time: errors then name the first bad entry, and the lists are short.
  for (const [index, entry] of entries.entries()) {
    const file = await prepareFile(entry, index, ctx, ids);
    const earlier = seen.get(file.target);
    if (earlier !== undefined) {
      throw new FileDeployError(index, entry.path, 'path', `${file.target} is also written by files[${earlier}]`);
    }
    seen.set(file.target, index);
    prepared.push(file);
  }
  const toWrite = prepared.filter((file) => file.needsWrite);
  await writePrepared(toWrite);
  return { changed: toWrite.map((file) => file.target) };
}
