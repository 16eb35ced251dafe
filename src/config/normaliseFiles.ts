import { posix } from 'node:path';
import { formatFileMode, isAccountIdText } from './formats.js';
import type { PathProblem } from './pathProblem.js';
import { quote } from './quote.js';

// The rules of `files` and `reload` that a JSON Schema cannot say, and the canonical spellings
// that make JSON and INI load alike: a mode is four octal digits, an id written as text a number.

type Entry = Record<string, unknown>;

/** A user or group as huddle hands it on: a numeric id written as text becomes a number. */
export function canonicalAccount(value: unknown): unknown {
  return typeof value === 'string' && isAccountIdText(value) ? Number(value) : value;
}

/** Canonicalises `owner`, `group` and `mode` of each entry in place. */
export function normaliseFiles(files: Entry[], reload: unknown, problems: PathProblem[]): void {
  const seen = new Set<string>();
  for (const [index, entry] of files.entries()) {
    if (typeof entry['mode'] === 'string') entry['mode'] = formatFileMode(entry['mode']);
    for (const key of ['owner', 'group']) {
      if (entry[key] !== undefined) entry[key] = canonicalAccount(entry[key]);
    }
    const path = entry['path'];
    if (typeof path !== 'string') continue;
    // Relative paths share one base (the config's directory), so comparing normalised text is enough.
    const target = posix.normalize(path);
    if (seen.has(target)) {
      problems.push({ path: ['files', index, 'path'], message: `is also the path of an earlier entry, got ${quote(path)}; write each file once` });
    }
    seen.add(target);
  }
  if (reload !== undefined && files.length === 0) {
    problems.push({ path: ['reload'], message: 'runs after files change, but there are no files: add files or remove reload' });
  }
}
