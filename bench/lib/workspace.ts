import { rename, writeFile } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from './cleanup.js';
import { copyBareRepo, createAppRepo, type AppRepo } from './gitRepo.js';
import { freePort } from './ports.js';
import { pythonExecutable } from './python.js';

/** One huddle daemon's world in a temp dir: configs, state, the apps' repositories and checkouts. */
export interface Workspace {
  root: string;
  configDir: string;
  stateDir: string;
}

export async function makeWorkspace(): Promise<Workspace> {
  const root = await makeTempDir('hbw-');
  const ws = { root, configDir: join(root, 'c'), stateDir: join(root, 's') };
  await mkdir(ws.configDir);
  await mkdir(join(root, 'apps'));
  return ws;
}

export type Section = Record<string, unknown>;
export type AppConfig = Record<string, Section>;

export interface BenchApp {
  name: string;
  port: number;
  repo: AppRepo;
  checkout: string;
  config: AppConfig;
}

export interface AddAppOptions {
  /** Merged into the config section by section; huddle's defaults apply to everything not set. */
  config?: Record<string, Section>;
  /** Copy this app's bare repository instead of making one from scratch (a pushable work clone is not made). */
  copyOf?: AppRepo;
}

/**
 * An app as a user would configure it: its repository, the start command and an HTTP health check
 * on /health; every other setting is huddle's default unless `config` says otherwise.
 */
export async function addApp(ws: Workspace, name: string, options: AddAppOptions = {}): Promise<BenchApp> {
  const dir = join(ws.root, 'apps', name);
  await mkdir(dir);
  let repo: AppRepo;
  if (options.copyOf) {
    repo = { bare: join(dir, 'remote.git'), work: options.copyOf.work, head: options.copyOf.head };
    await copyBareRepo(options.copyOf.bare, repo.bare);
  } else {
    repo = await createAppRepo(dir);
  }
  const port = await freePort();
  const checkout = join(dir, 'checkout');
  const config: AppConfig = {
    repository: { 'remote path': repo.bare, 'local path': checkout, branch: 'main' },
    application: { start: `'${pythonExecutable()}' app.py`, env: { PORT: String(port) } },
    health: { http: { url: `http://127.0.0.1:${port}/health` } },
  };
  for (const [section, value] of Object.entries(options.config ?? {})) config[section] = { ...(config[section] ?? {}), ...value };
  const app: BenchApp = { name, port, repo, checkout, config };
  // Written beside its final name, then renamed: the daemon's watcher never reads half a file.
  const file = join(ws.configDir, `${name}.json`);
  await writeFile(`${file}.tmp`, `${JSON.stringify(config, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
  return app;
}
