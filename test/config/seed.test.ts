import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, type AppConfig } from '../../src/config/index.js';

const examples = new URL('../../configs.example/', import.meta.url);

function loaded(name: string): AppConfig {
  const result = loadConfigFile(new URL(name, examples).pathname, {});
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.app.config;
}

describe('the seed examples', () => {
  it('are kept exactly as the seed wrote them', () => {
    const ini = readFileSync(new URL('seed-ini.ini', examples), 'utf8');
    expect(ini).toContain('remote path: https://github.com/slightlynybbled/dummy.git');
    expect(ini).toContain('local path: C:/_code/_git_example');
    expect(ini).toContain('remote = origin');
  });

  it('load to the same config from JSON and from INI', () => {
    const fromJson = loaded('seed.json');
    const fromIni = loaded('seed-ini.ini');
    expect({ ...fromIni, name: 'seed' }).toEqual(fromJson);
    expect(JSON.stringify({ ...fromIni, name: 'seed' })).toBe(JSON.stringify(fromJson));
  });

  it('give the normalised config with every default', () => {
    const expected: AppConfig = {
      name: 'seed',
      depends: [],
      repository: {
        'remote path': 'https://github.com/slightlynybbled/dummy.git',
        'local path': 'C:/_code/_git_example',
        remote: 'origin',
        branch: 'master',
        executable: 'C:/Program Files/Git/bin/git.exe',
        type: 'git',
        'discard local changes': false,
      },
      timing: { minimum: 10, maximum: 20, watch: true },
      application: {
        start: 'python -m dummy_app.py',
        cwd: 'C:/_code/_git_example',
        env: {},
        'stop signal': 'SIGTERM',
        'stop timeout': 10,
        'install timeout': 600,
      },
      restart: {
        policy: 'always',
        backoff: { first: 0, initial: 1, factor: 2, max: 60, jitter: 0.1, 'reset after': 60 },
        limit: { restarts: 5, window: 60 },
      },
      rollback: { enabled: true, probation: 60 },
      scripts: { 'pre-pull': [], 'post-pull': [], timeout: 300 },
      files: [],
    };
    expect(loaded('seed.json')).toStrictEqual(expected);
  });
});
