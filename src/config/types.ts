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
  };
  /** Seconds between checks of the remote; random in [minimum, maximum]. */
  timing: { minimum: number; maximum: number };
  application?: {
    start: string;
    /** Defaults to the repository's local path. */
    cwd: string;
    env: Record<string, string>;
    'stop signal': string;
    'stop timeout': number;
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
    backoff: { initial: number; factor: number; max: number; jitter: number; 'reset after': number };
    limit: { restarts: number; window: number };
  };
  scripts: { 'pre-pull': string[]; 'post-pull': string[]; timeout: number };
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
