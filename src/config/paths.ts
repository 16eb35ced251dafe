import { dirname, resolve } from 'node:path';
import type { LoadedApp } from './types.js';

/**
 * The app's working copy and working directory as absolute paths. Relative paths in a config are
 * relative to the directory of its file, so a config directory can be moved as a whole.
 */
export function resolveAppPaths(app: LoadedApp): { localPath: string; cwd?: string } {
  const base = dirname(app.file);
  const localPath = resolve(base, app.config.repository['local path']);
  const application = app.config.application;
  return application ? { localPath, cwd: resolve(base, application.cwd) } : { localPath };
}
