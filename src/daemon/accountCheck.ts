import type { ConfigError, LoadedApp } from '../config/index.js';
import { runAsOf } from './appSpec.js';

/**
 * An app that runs as another user needs a root daemon and an account that exists: checked when
 * the config is loaded, so a bad one is reported like any other config error.
 */
export function refuseUnrunnableAccounts(apps: LoadedApp[], errors: ConfigError[]): { apps: LoadedApp[]; errors: ConfigError[] } {
  const kept: LoadedApp[] = [];
  const refused: ConfigError[] = [];
  for (const app of apps) {
    const application = app.config.application;
    const key = application?.user !== undefined ? 'user' : application?.group !== undefined ? 'group' : undefined;
    let problem: string | undefined;
    if (key !== undefined && process.getuid?.() !== 0) {
      problem = `running an app as another user needs huddle to run as root (it runs as uid ${process.getuid?.()})`;
    } else if (key !== undefined) {
      try {
        runAsOf(app);
      } catch (error) {
        problem = (error as Error).message;
      }
    }
    if (problem === undefined) kept.push(app);
    else refused.push({ file: app.file, path: `[application] ${key}`, message: problem });
  }
  return { apps: kept, errors: [...errors, ...refused] };
}
