import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ConfigError, LoadedApp } from '../config/index.js';
import type { Logger } from '../log.js';
import { diffConfigs, whyKept } from './configDiff.js';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { appStateDir, safeAppName } from './paths.js';

const SUFFIX = '.config.json';

/**
 * The last valid config of each app, kept in the state dir. A running app is never stopped for a
 * bad config; without this, a daemon restarted while a file is invalid would know nothing of the
 * app and stop it. With it, the app runs on the config it had until the file is fixed.
 */
export class LastValidConfigs {
  private readonly saved = new Map<string, string>();

  constructor(private readonly stateDir: string) {}

  private fileOf(app: string): string {
    return path.join(appStateDir(this.stateDir), `${safeAppName(app)}${SUFFIX}`);
  }

  /** Every remembered config; unreadable ones are skipped (they only ever help). */
  async load(): Promise<Map<string, LoadedApp>> {
    const apps = new Map<string, LoadedApp>();
    let names: string[];
    try {
      names = await readdir(appStateDir(this.stateDir));
    } catch {
      return apps;
    }
    for (const name of names.filter((n) => n.endsWith(SUFFIX))) {
      try {
        const text = await readFile(path.join(appStateDir(this.stateDir), name), 'utf8');
        const value = JSON.parse(text) as { file?: unknown; config?: { name?: unknown } };
        const app = value.config?.name;
        if (typeof app !== 'string' || typeof value.file !== 'string' || this.fileOf(app) !== path.join(appStateDir(this.stateDir), name)) continue;
        apps.set(app, { file: value.file, config: value.config as LoadedApp['config'] });
        this.saved.set(app, text);
      } catch {
        // A torn or foreign file: ignored, the next save replaces it.
      }
    }
    return apps;
  }

  /**
   * The apps to run at boot: the valid ones, and for a file that is invalid now, the config it had
   * in the last run (as a reload keeps it). Apps whose file is gone are forgotten, unless another
   * file is invalid (it may be theirs now).
   */
  async appsAtBoot(loaded: { apps: LoadedApp[]; errors: ConfigError[] }, configDir: string, logger: Logger): Promise<LoadedApp[]> {
    const remembered = await this.load();
    const diff = diffConfigs(remembered, loaded, configDir);
    const apps = [...loaded.apps];
    for (const kept of diff.kept) {
      logger.warn(`${whyKept(kept, remembered.get(kept.app)?.file)}: running the app on its last valid config`, { event: 'config', app: kept.app });
      apps.push(remembered.get(kept.app)!);
    }
    for (const app of diff.removed) await this.forget(app);
    return apps;
  }

  /** Remember `app` as valid (written only when it changed). */
  async save(app: LoadedApp): Promise<void> {
    const text = `${JSON.stringify({ file: app.file, config: app.config }, null, 2)}\n`;
    if (this.saved.get(app.config.name) === text) return;
    await writeFileAtomic(this.fileOf(app.config.name), text);
    this.saved.set(app.config.name, text);
  }

  async forget(app: string): Promise<void> {
    this.saved.delete(app);
    await rm(this.fileOf(app), { force: true });
  }
}
