import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkAcrossApps } from './dependencies.js';
import { loadConfigFile } from './loadFile.js';
import type { ConfigError, LoadedApp } from './types.js';

/**
 * True for names of app config files: `*.json` and `*.ini` (any case), except names starting
 * with `_` or `.`, which stay out of the way as in the original huddle (drafts, templates, editor
 * files).
 */
export function isConfigFileName(name: string): boolean {
  if (name.startsWith('_') || name.startsWith('.')) return false;
  return /\.(json|ini)$/i.test(name);
}

/** The config files of a directory, sorted by name. Throws when the directory cannot be read. */
export function listConfigFiles(dir: string): string[] {
  const absolute = resolve(dir);
  return readdirSync(absolute, { withFileTypes: true })
    .filter((entry) => isConfigFileName(entry.name))
    .filter((entry) => {
      if (entry.isFile()) return true;
      // A symlink counts when it leads to a file; a dangling one is reported when loaded.
      if (entry.isSymbolicLink()) {
        try {
          return !statSync(join(absolute, entry.name)).isDirectory();
        } catch {
          return true;
        }
      }
      return false;
    })
    .map((entry) => join(absolute, entry.name))
    .sort();
}

/**
 * Loads every app config in `dir`. Returns the valid apps (dependencies before their dependents)
 * and the errors of the others: one bad file never stops the rest. Duplicate app names, unknown
 * dependencies and dependency cycles are errors on the files involved, which are left out, as
 * are apps that depend on a left-out app.
 */
export function loadConfigDir(dir: string, env: NodeJS.ProcessEnv = process.env): { apps: LoadedApp[]; errors: ConfigError[] } {
  let files: string[];
  try {
    files = listConfigFiles(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such directory' : code === 'ENOTDIR' ? 'not a directory' : (error as Error).message;
    return { apps: [], errors: [{ file: resolve(dir), path: '', message: `cannot read the config directory: ${reason}` }] };
  }
  const loaded: LoadedApp[] = [];
  const errors: ConfigError[] = [];
  const invalidFiles: string[] = [];
  for (const file of files) {
    const result = loadConfigFile(file, env);
    if (result.ok) loaded.push(result.app);
    else {
      errors.push(...result.errors);
      invalidFiles.push(file);
    }
  }
  const checked = checkAcrossApps(loaded, invalidFiles);
  return { apps: checked.apps, errors: [...errors, ...checked.errors] };
}
