import { existsSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the first directory above this file that holds package.json (works from bench/ and dist/bench/). */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (no package.json above the bench)');
    dir = parent;
  }
}

export const REPO_ROOT = findRoot();

let cli = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

/** The built huddle CLI: the daemon under test runs as it would in production. */
export function huddleCli(): string {
  return cli;
}

/**
 * The command an operator types, `huddle` (bin/huddle beside that build's dist), with the `node`
 * of this bench first on PATH; the built CLI run by this Node when that build has no launcher.
 */
export function huddleCommand(args: string[]): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
  const launcher = resolve(dirname(cli), '..', '..', '..', 'bin', 'huddle');
  if (!existsSync(launcher)) return { file: process.execPath, args: [cli, ...args], env: process.env };
  return { file: launcher, args, env: { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` } };
}

/** Bench another build of huddle (run.ts --huddle-cli), e.g. a patched copy, to measure a change. */
export function setHuddleCli(path: string): void {
  cli = path;
}

/** PM2's CLI script, run with this Node (its shebang would look `node` up on PATH). */
export const PM2_CLI = join(REPO_ROOT, 'node_modules', 'pm2', 'bin', 'pm2');

/** The one-file Python app every scenario serves. */
export const APP_SOURCE = join(REPO_ROOT, 'bench', 'apps', 'version_server.py');

export function assertBuilt(): void {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm run bench does)`);
  if (!existsSync(PM2_CLI)) throw new Error(`${PM2_CLI} is missing: run \`npm ci\` (pm2 is a devDependency)`);
}
