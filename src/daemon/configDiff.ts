import path from 'node:path';
import type { ConfigError, LoadedApp } from '../config/index.js';

export interface ConfigDiff {
  added: LoadedApp[];
  changed: LoadedApp[];
  removed: string[];
  /** Running apps whose file is now invalid: they keep running on the config they had. */
  kept: Array<{ app: string; errors: ConfigError[] }>;
}

/**
 * What to do after the config dir was read again. A running app is never stopped for a bad
 * config: when its file (or the directory) cannot be loaded, it keeps its last good config.
 */
export function diffConfigs(
  running: ReadonlyMap<string, LoadedApp>,
  next: { apps: LoadedApp[]; errors: ConfigError[] },
  configDir: string,
): ConfigDiff {
  const nextByName = new Map(next.apps.map((app) => [app.config.name, app]));
  const errorsByFile = new Map<string, ConfigError[]>();
  for (const error of next.errors) errorsByFile.set(error.file, [...(errorsByFile.get(error.file) ?? []), error]);
  const dirUnreadable = errorsByFile.has(path.resolve(configDir));

  const diff: ConfigDiff = { added: [], changed: [], removed: [], kept: [] };
  for (const app of next.apps) {
    const current = running.get(app.config.name);
    if (!current) diff.added.push(app);
    else if (JSON.stringify(current.config) !== JSON.stringify(app.config)) diff.changed.push(app);
  }
  for (const [name, current] of running) {
    if (nextByName.has(name)) continue;
    const errors = errorsByFile.get(current.file);
    if (errors || dirUnreadable) diff.kept.push({ app: name, errors: errors ?? errorsByFile.get(path.resolve(configDir)) ?? [] });
    else diff.removed.push(name);
  }
  return diff;
}
