// The normalised app config: the schema's shape with every default applied and the original
// huddle's sections mapped onto the new ones, so printing it gives a config that loads to itself.

export interface AppConfig {
  /** The file's base name unless the file sets `name`. */
  name: string;
  depends: string[];
  repository: {
    'remote path': string;
    'local path': string;
    remote: string;
    branch: string;
    executable: string;
    type: 'git';
    'discard local changes': boolean;
    /** A tag or commit id to deploy instead of following `branch`. */
    ref?: string;
    /** Deploy only signed commits. At least one key is set; paths as written (see resolveAppPaths). */
    verify?: { 'allowed signers'?: string; 'gpg keyring'?: string };
  };
  /** Seconds between checks of the remote; random in [minimum, maximum]. */
  timing: { minimum: number; maximum: number; watch: boolean };
  application?: {
    start: string;
    /** Defaults to the repository's local path. */
    cwd: string;
    env: Record<string, string>;
    'stop signal': string;
    'stop timeout': number;
    /** Install/build command run after each update, before the start. */
    install?: string;
    'install timeout': number;
    /** Who the app, its install and its scripts run as when huddle is root: a name, or a numeric id. */
    user?: Account;
    group?: Account;
  };
  /** Exactly one of `http` and `tcp` is set. */
  health?: {
    http?: { url: string; status: string; body?: string };
    tcp?: { host: string; port: number; send?: string; expect?: string };
    interval: number;
    timeout: number;
    retries: number;
    'start period': number;
  };
  restart: {
    policy: 'always' | 'on-failure' | 'never';
    backoff: { first: number; initial: number; factor: number; max: number; jitter: number; 'reset after': number };
    limit: { restarts: number; window: number };
  };
  /** Roll back a new commit that fails within `probation` seconds of its update. */
  rollback: { enabled: boolean; probation: number };
  /**
   * Fleet coordination through etcd; only used when the daemon runs with `--etcd`. Absent when the
   * file has no `rollout` section, so an app without one updates on its own, as before.
   */
  rollout?: {
    /** A number of nodes (`3`), or a percentage of the nodes running the app as `"N%"` (1 to 100). */
    'max concurrent': number | string;
    'halt after': number;
    'on etcd loss': 'hold' | 'proceed';
  };
  scripts: { 'pre-pull': string[]; 'post-pull': string[]; timeout: number };
  /** Files placed on the host, in order; no two share a `path`. */
  files: ManagedFile[];
  /** Command run after one or more files changed; only set when `files` is not empty. */
  reload?: string;
}

/** A user or group: a name (`www-data`), or a numeric id (always a number, never digits in text). */
export type Account = string | number;

/** One entry of `files`: exactly one of `content` and `source` is set. */
export interface ManagedFile {
  /** As written: absolute, or relative to the config file's directory (see resolveAppPaths). */
  path: string;
  /** The file's text, `${NAME}` already expanded. */
  content?: string;
  /** A file in the checkout, relative to the local path; never absolute, never with `..`. */
  source?: string;
  /** Four octal digits, e.g. `0644`. */
  mode: string;
  owner?: Account;
  group?: Account;
}

export interface LoadedApp {
  /** Absolute path of the config file. */
  file: string;
  config: AppConfig;
}

export interface ConfigError {
  file: string;
  /** Where in the file, as an operator reads it: `[repository] local path`, `name`, `line 7`, or ''. */
  path: string;
  message: string;
}

export type LoadResult = { ok: true; app: LoadedApp } | { ok: false; errors: ConfigError[] };
