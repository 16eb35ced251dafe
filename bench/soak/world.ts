import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { appFiles, type CommitMode } from './appSource.js';
import { appConfig, type AppTuning } from './appConfig.js';

// Everything the soak touches lives under one temp dir: bare repositories, the clones it pushes
// from, the config dir, the state dir and the apps' checkouts.

const exec = promisify(execFile);

export interface Commit {
  sha: string;
  version: number;
  mode: CommitMode;
}

export interface SoakApp {
  name: string;
  port: number;
  bare: string;
  work: string;
  checkout: string;
  configFile: string;
  clashFile: string;
  commits: Commit[];
  /** The newest commit pushed with MODE good: where the app must end up. */
  newestGood: Commit;
  /** GREETING in the app's current valid config. */
  greeting: string;
  /** False while the bare repository is renamed away. */
  remoteReachable: boolean;
}

export interface World {
  root: string;
  configDir: string;
  stateDir: string;
  /** Value of SOAK_MARKER in the daemon's environment, inherited by everything it starts. */
  marker: string;
  apps: SoakApp[];
}

export const MARKER_VAR = 'HUDDLE_SOAK_RUN';

const gitEnv: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'huddle soak',
  GIT_AUTHOR_EMAIL: 'soak@huddle.invalid',
  GIT_COMMITTER_NAME: 'huddle soak',
  GIT_COMMITTER_EMAIL: 'soak@huddle.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  LC_ALL: 'C',
};

async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec('git', args, { cwd, env: gitEnv });
  return stdout.trim();
}

export async function makeWorld(appNames: string[], ports: number[], tuning: AppTuning): Promise<World> {
  // Short prefix: the control socket path must stay under the unix socket limit (108 bytes).
  const root = await mkdtemp(path.join(tmpdir(), 'hsoak-'));
  const world: World = {
    root,
    configDir: path.join(root, 'configs'),
    stateDir: path.join(root, 'state'),
    marker: randomUUID(),
    apps: [],
  };
  for (const dir of ['configs', 'remotes', 'work', 'co', 'clashes']) await mkdir(path.join(root, dir));
  for (const [i, name] of appNames.entries()) {
    const port = ports[i];
    if (port === undefined) throw new Error(`no port for ${name}`);
    const app = await makeApp(root, name, port);
    world.apps.push(app);
    await writeConfig(app, tuning);
  }
  return world;
}

async function makeApp(root: string, name: string, port: number): Promise<SoakApp> {
  const bare = path.join(root, 'remotes', `${name}.git`);
  const work = path.join(root, 'work', name);
  await git(root, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  await git(root, 'init', '--quiet', '--initial-branch=main', work);
  await git(work, 'remote', 'add', 'origin', bare);
  const placeholder: Commit = { sha: '', version: 0, mode: 'good' };
  const app: SoakApp = {
    name,
    port,
    bare,
    work,
    checkout: path.join(root, 'co', name),
    configFile: path.join(root, 'configs', `${name}.json`),
    clashFile: path.join(root, 'clashes', `${name}.log`),
    commits: [],
    newestGood: placeholder,
    greeting: 'hello-1',
    remoteReachable: true,
  };
  await pushCommit(app, 'good');
  return app;
}

/** Commit the app at the next version with `mode` and push it; a good one becomes newestGood. */
export async function pushCommit(app: SoakApp, mode: CommitMode): Promise<Commit> {
  const version = app.commits.length + 1;
  for (const [file, content] of Object.entries(appFiles(version, mode))) await writeFile(path.join(app.work, file), content);
  await git(app.work, 'add', '--all');
  await git(app.work, 'commit', '--quiet', '-m', `version ${version} (${mode})`);
  await git(app.work, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main');
  const commit: Commit = { sha: await git(app.work, 'rev-parse', 'HEAD'), version, mode };
  app.commits.push(commit);
  if (mode === 'good') app.newestGood = commit;
  return commit;
}

/** The remote disappears as a deleted repository or a lost mount would. */
export async function makeRemoteUnreachable(app: SoakApp): Promise<void> {
  await rename(app.bare, `${app.bare}.away`);
  app.remoteReachable = false;
}

export async function restoreRemote(app: SoakApp): Promise<void> {
  await rename(`${app.bare}.away`, app.bare);
  app.remoteReachable = true;
}

/**
 * Write a config file as an operator's tool would: beside it under a name the daemon skips, then
 * renamed, so the watcher never reads half a file (a broken file is a deliberate fault instead).
 */
export async function writeRawConfig(app: SoakApp, text: string): Promise<void> {
  const temp = path.join(path.dirname(app.configFile), `.${randomUUID()}.tmp`);
  await writeFile(temp, text);
  await rename(temp, app.configFile);
}

export async function writeConfig(app: SoakApp, tuning: AppTuning): Promise<void> {
  await writeRawConfig(app, `${JSON.stringify(appConfig(app, tuning), null, 2)}\n`);
}

/** Two kinds of invalid file: broken JSON, and JSON the schema rejects. */
export function invalidConfigText(app: SoakApp, tuning: AppTuning, kind: 'syntax' | 'schema'): string {
  const valid = JSON.stringify(appConfig(app, tuning), null, 2);
  if (kind === 'syntax') return valid.slice(0, Math.floor(valid.length / 2));
  const config = appConfig(app, tuning);
  return JSON.stringify({ ...config, timing: { minimum: 5, maximum: 1 } }, null, 2);
}
