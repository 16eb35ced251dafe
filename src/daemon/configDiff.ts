import path from 'node:path';
import type { ConfigError, LoadedApp } from '../config/index.js';

export interface ConfigDiff {
  added: LoadedApp[];
  changed: LoadedApp[];
  /** Same config from another file (renamed, or converted between INI and JSON): nothing to restart. */
  moved: LoadedApp[];
  removed: string[];
  /**
   * Running apps whose file is now invalid, or gone while another file is invalid (`fileGone`):
   * they keep running on the config they had.
   */
  kept: Array<{ app: string; errors: ConfigError[]; fileGone?: true }>;
}

/**
 * What to do after the config dir was read again. A running app is never stopped for a bad
 * config: when its file (or the directory) cannot be loaded, it keeps its last good config. Nor
 * when its file is gone while another file is invalid: that file may be its new one (renamed and
 * edited in one go), and which app an invalid file holds cannot be known. It is removed once the
 * directory loads without it.
 */
export function diffConfigs(
  running: ReadonlyMap<string, LoadedApp>,
  next: { apps: LoadedApp[]; errors: ConfigError[] },
  configDir: string,
): ConfigDiff {
  const nextByName = new Map(next.apps.map((app) => [app.config.name, app]));
  const errorsByFile = new Map<string, ConfigError[]>();
  for (const error of next.errors) errorsByFile.set(error.file, [...(errorsByFile.get(error.file) ?? []), error]);
  const dirErrors = errorsByFile.get(path.resolve(configDir));
  const loadedFiles = new Set(next.apps.map((app) => app.file));

  const diff: ConfigDiff = { added: [], changed: [], moved: [], removed: [], kept: [] };
  for (const app of next.apps) {
    const current = running.get(app.config.name);
    if (!current) diff.added.push(app);
    else if (JSON.stringify(current.config) !== JSON.stringify(app.config)) diff.changed.push(app);
    else if (current.file !== app.file) diff.moved.push(app);
  }
  for (const [name, current] of running) {
    if (nextByName.has(name)) continue;
    const errors = dirErrors ?? errorsByFile.get(current.file);
    const fileGone = !loadedFiles.has(current.file) && !errorsByFile.has(current.file);
    if (errors) diff.kept.push({ app: name, errors });
    else if (fileGone && next.errors.length > 0) diff.kept.push({ app: name, errors: next.errors, fileGone: true });
    else diff.removed.push(name);
  }
  return diff;
}

/** Why a kept app keeps its last valid config, for the log line. */
export function whyKept(kept: ConfigDiff['kept'][number], file: string | undefined): string {
  if (!kept.fileGone) return 'config is invalid';
  const invalid = [...new Set(kept.errors.map((error) => path.basename(error.file)))].join(', ');
  return `config file ${file === undefined ? '' : `${path.basename(file)} `}is gone while ${invalid} cannot be loaded (one may hold this app now)`;
}
