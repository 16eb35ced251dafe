import { homedir } from 'node:os';
import path from 'node:path';

// Where the daemon keeps things. Root runs it as a system service (FHS paths); anyone else gets
// the XDG per-user dirs, so tests and the demo never need root or touch system paths.

type Env = Record<string, string | undefined>;

function currentUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

/** XDG says a relative value is invalid and must be ignored. */
function xdgDir(env: Env, name: 'XDG_CONFIG_HOME' | 'XDG_STATE_HOME', fallback: string): string {
  const value = env[name];
  if (value && path.isAbsolute(value)) return value;
  return path.join(env.HOME || homedir(), fallback);
}

/** `/etc/huddle` as root, else `$XDG_CONFIG_HOME/huddle` (default `~/.config/huddle`). */
export function defaultConfigDir(env: Env = process.env, uid: number | undefined = currentUid()): string {
  if (uid === 0) return '/etc/huddle';
  return path.join(xdgDir(env, 'XDG_CONFIG_HOME', '.config'), 'huddle');
}

/** `/var/lib/huddle` as root, else `$XDG_STATE_HOME/huddle` (default `~/.local/state/huddle`). */
export function defaultStateDir(env: Env = process.env, uid: number | undefined = currentUid()): string {
  if (uid === 0) return '/var/lib/huddle';
  return path.join(xdgDir(env, 'XDG_STATE_HOME', path.join('.local', 'state')), 'huddle');
}

/**
 * A file-name-safe form of an app name. Names that are already safe are kept as they are (an
 * operator finds `web.json` for app `web`); others get their unsafe characters replaced plus a
 * short hash of the original, so `a/b` and `a_b` never share a file.
 */
export function safeAppName(app: string): string {
  if (/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/.test(app)) return app;
  const readable = app.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 80);
  // Loaded here, not at the top: every CLI command reads this module, few ever hash a name.
  const { createHash } = process.getBuiltinModule('node:crypto');
  const hash = createHash('sha256').update(app).digest('hex').slice(0, 8);
  return `${readable || 'app'}-${hash}`;
}

/** The control socket: `<stateDir>/huddle.sock`. */
export function socketPath(stateDir: string): string {
  return path.join(stateDir, 'huddle.sock');
}

/** Directory of per-app state files. */
export function appStateDir(stateDir: string): string {
  return path.join(stateDir, 'apps');
}

/** `<stateDir>/apps/<app>.json`: the app's persisted state. */
export function appStateFile(stateDir: string, app: string): string {
  return path.join(appStateDir(stateDir), `${safeAppName(app)}.json`);
}

/** `<stateDir>/apps/<app>.pid.json`: the app process the daemon last started (crash recovery). */
export function appProcessFile(stateDir: string, app: string): string {
  return path.join(appStateDir(stateDir), `${safeAppName(app)}.pid.json`);
}

/**
 * `<stateDir>/apps/<app>.hook-<tag>.pid.json`: a hook (or install step, or reload) the daemon is
 * running for the app, one file per command: a hook never overwrites the record of the app's own
 * process, nor the record of another hook.
 */
export function hookProcessFile(stateDir: string, app: string, tag: string): string {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(tag)) throw new Error(`not a process tag: ${JSON.stringify(tag)}`);
  return path.join(appStateDir(stateDir), `${safeAppName(app)}.hook-${tag}.pid.json`);
}

/** Directory of per-app log files. */
export function appLogDir(stateDir: string): string {
  return path.join(stateDir, 'logs');
}

/** `<stateDir>/logs/<app>.log`: the app's stdout and stderr. */
export function appLogFile(stateDir: string, app: string): string {
  return path.join(appLogDir(stateDir), `${safeAppName(app)}.log`);
}

/**
 * Base name of the daemon lock: the lock itself is `<stateDir>/daemon.lock.<generation>` (see
 * lock.ts for why there are generations).
 */
export function lockFile(stateDir: string): string {
  return path.join(stateDir, 'daemon.lock');
}

/** Both dirs made absolute, once, at the start. */
export function resolveDirs(options: { configDir: string; stateDir: string }): { configDir: string; stateDir: string } {
  return { configDir: path.resolve(options.configDir), stateDir: path.resolve(options.stateDir) };
}
