import { dirname } from 'node:path';
import { resolveAppPaths, type LoadedApp } from '../../config/index.js';
import { deployFiles } from '../../files/index.js';
import { appLogger } from '../../log.js';
import { gitOptionsOf } from '../appSpec.js';
import type { RunCommand } from './commandRunner.js';
import type { EffectsHost } from './host.js';

/** `files` as deployFiles takes them: paths resolved, modes as the config normalised them. */
function fileEntries(app: LoadedApp) {
  const resolved = resolveAppPaths(app).files ?? [];
  return app.config.files.map((file, i) => ({
    ...file,
    path: resolved[i]?.path ?? file.path,
    owner: file.owner === undefined ? undefined : String(file.owner),
    group: file.group === undefined ? undefined : String(file.group),
  }));
}

function fingerprint(app: LoadedApp): string {
  return JSON.stringify([app.file, app.config.files, app.config.reload]);
}

/**
 * Which `files` config each app's files were last placed by. An update places them; so must a
 * config edit that keeps the commit (a new `content`, mode or entry), and a daemon that boots
 * after one: this tells the fetch that comes before every start whether to place them again.
 */
export class PlacedFiles {
  private readonly placed = new Map<string, string>();

  /** True when the app lists files that were not placed by its current config in this run. */
  stale(app: LoadedApp): boolean {
    return app.config.files.length > 0 && this.placed.get(app.config.name) !== fingerprint(app);
  }

  /**
   * Writes the files whose bytes, mode or owner differ (all or nothing), then runs `reload` if
   * any did. Throws a FileDeployError naming the entry and key of a bad one.
   */
  async place(host: EffectsHost, app: LoadedApp, commit: string, run: RunCommand): Promise<void> {
    if (app.config.files.length === 0) return;
    const checkoutDir = gitOptionsOf(app).localPath;
    const { changed } = await deployFiles(fileEntries(app), { checkoutDir, configDir: dirname(app.file) });
    this.placed.set(app.config.name, fingerprint(app));
    if (changed.length === 0) return;
    appLogger(host.logger, { app: app.config.name, commit }).info(`files written: ${changed.join(', ')}`, { event: 'files' });
    if (app.config.reload) await run(app.config.reload, app.config.scripts.timeout);
  }
}
