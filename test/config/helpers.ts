import { formatConfigError, loadConfigText, type AppConfig, type LoadResult } from '../../src/config/index.js';

export type Format = 'json' | 'ini';

export function load(text: string, format: Format, env: NodeJS.ProcessEnv = {}, name = 'app'): LoadResult {
  return loadConfigText(text, format, `/configs/${name}.${format}`, env);
}

/** The config of a text that must load. */
export function config(text: string, format: Format, env: NodeJS.ProcessEnv = {}, name = 'app'): AppConfig {
  const result = load(text, format, env, name);
  if (!result.ok) throw new Error(`expected a valid config, got:\n${result.errors.map((e) => formatConfigError(e)).join('\n')}`);
  return result.app.config;
}

/** The formatted errors of a text that must not load. */
export function errors(text: string, format: Format, env: NodeJS.ProcessEnv = {}, name = 'app'): string[] {
  const result = load(text, format, env, name);
  if (result.ok) throw new Error(`expected errors, got a valid config: ${JSON.stringify(result.app.config)}`);
  return result.errors.map((e) => formatConfigError(e));
}

export const MINIMAL_JSON = '{"repository": {"remote path": "https://git.example.com/a.git", "local path": "/srv/a"}}';
export const MINIMAL_INI = '[repository]\nremote path = https://git.example.com/a.git\nlocal path = /srv/a\n';

/** A minimal JSON config with extra sections merged in. */
export function json(extra: Record<string, unknown>): string {
  return JSON.stringify({ repository: { 'remote path': 'https://git.example.com/a.git', 'local path': '/srv/a' }, ...extra });
}

/** A minimal INI config with more lines after the repository section. */
export function ini(more: string): string {
  return `${MINIMAL_INI}${more}\n`;
}
