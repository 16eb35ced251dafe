import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

// A `source` comes from the repository, which anyone who can push controls; without this check a
// commit could add `source: ../../../etc/shadow` (or a symlink to it) and have the daemon copy a
// host secret wherever the config points.

export type SourceRead = { ok: true; file: string; data: Buffer } | { ok: false; problem: string };

/** Read `source` (relative to the checkout) after proving it resolves to a regular file inside it. */
export async function readSourceFile(checkoutDir: string, source: string): Promise<SourceRead> {
  if (source === '') return { ok: false, problem: 'source is empty' };
  if (path.isAbsolute(source)) {
    return { ok: false, problem: `source "${source}" must be relative to the checkout, not absolute` };
  }
  const checkout = path.resolve(checkoutDir);
  const lexical = path.resolve(checkout, source);
  if (lexical === checkout) return { ok: false, problem: `source "${source}" names the checkout itself, not a file` };
  if (!isInside(checkout, lexical)) {
    return { ok: false, problem: `source "${source}" escapes the checkout ${checkout}` };
  }
  let realCheckout: string;
  let real: string;
  try {
    realCheckout = await realpath(checkout);
    real = await realpath(lexical);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return { ok: false, problem: `source "${source}" does not exist in the checkout ${checkout}` };
    }
    return { ok: false, problem: `source "${source}" cannot be resolved: ${(error as Error).message}` };
  }
  if (!isInside(realCheckout, real)) {
    return { ok: false, problem: `source "${source}" escapes the checkout ${checkout} through a symlink (to ${real})` };
  }
  try {
    const info = await stat(real);
    if (!info.isFile()) return { ok: false, problem: `source "${source}" is not a regular file` };
    return { ok: true, file: real, data: await readFile(real) };
  } catch (error) {
    return { ok: false, problem: `source "${source}" cannot be read: ${(error as Error).message}` };
  }
}

function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}
