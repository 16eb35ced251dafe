import { describe, expect, it } from 'vitest';
import { parseIni } from '../../src/config/ini.js';
import { IniValue } from '../../src/config/iniValue.js';
import { config, errors, ini, json } from './helpers.js';

function text(value: unknown): string | undefined {
  return value instanceof IniValue ? value.text : undefined;
}

describe('INI reader', () => {
  it('reads "key = value" and "key: value", the key ending at the first delimiter', () => {
    const { root, problems } = parseIni([
      '[repository]',
      'remote path: https://user@host:8443/x.git?a=b',
      'local path = C:/_code/x',
      'executable: C:/Program Files/Git/bin/git.exe',
      'weird = a: b = c',
    ].join('\n'));
    expect(problems).toEqual([]);
    const repo = root['repository'] as Record<string, unknown>;
    expect(text(repo['remote path'])).toBe('https://user@host:8443/x.git?a=b');
    expect(text(repo['local path'])).toBe('C:/_code/x');
    expect(text(repo['executable'])).toBe('C:/Program Files/Git/bin/git.exe');
    expect(text(repo['weird'])).toBe('a: b = c');
  });

  it('skips whole-line ; and # comments but keeps them inside values', () => {
    const c = config(ini('; comment\n# another\n  ; indented comment\n[application]\nstart = sh -c "a; b" # not a comment'), 'ini');
    expect(c.application?.start).toBe('sh -c "a; b" # not a comment');
  });

  it('nests [a.b] sections and accepts them in any order and case', () => {
    const c = config(ini('[Restart.Backoff]\nInitial = 2\n[RESTART]\nPolicy = never\n[restart.limit]\nrestarts: 0'), 'ini');
    expect(c.restart).toEqual({
      policy: 'never',
      backoff: { first: 0, initial: 2, factor: 2, max: 60, jitter: 0.1, 'reset after': 60 },
      limit: { restarts: 0, window: 60 },
    });
  });

  it('keeps the case of environment variable names', () => {
    const c = config(ini('[application]\nstart = x\n[application.env]\nMy_Var = 1\nPATH = /bin'), 'ini');
    expect(c.application?.env).toEqual({ My_Var: '1', PATH: '/bin' });
  });

  it('types values by the schema: numbers, booleans, lists, text', () => {
    const c = config([
      'depends = db, cache',
      '[repository]', 'remote path = x', 'local path = y', 'discard local changes = yes',
      '[application]', 'start = 42', 'stop timeout = 2.5',
      '[health]', 'retries = 7', '[health.tcp]', 'port = 0080', 'send = 1',
    ].join('\n'), 'ini');
    expect(c.depends).toEqual(['db', 'cache']);
    expect(c.repository['discard local changes']).toBe(true);
    expect(c.application?.start).toBe('42');
    expect(c.application?.['stop timeout']).toBe(2.5);
    expect(c.health?.retries).toBe(7);
    expect(c.health?.tcp).toEqual({ host: '127.0.0.1', port: 80, send: '1' });
  });

  it('reads every configparser spelling of true and false', () => {
    for (const [word, value] of [['1', true], ['Yes', true], ['TRUE', true], ['on', true], ['0', false], ['no', false], ['False', false], ['OFF', false]] as const) {
      expect(config(ini(`discard local changes = ${word}`), 'ini').repository['discard local changes']).toBe(value);
    }
  });

  it('joins continuation lines of a text value with newlines', () => {
    const c = config(ini('[application]\nstart = run\n  --verbose'), 'ini');
    expect(c.application?.start).toBe('run\n--verbose');
  });

  it('takes values literally: quotes and % stay', () => {
    const c = config(ini('[application]\nstart = "C:/Program Files/app.exe" --rate 100%'), 'ini');
    expect(c.application?.start).toBe('"C:/Program Files/app.exe" --rate 100%');
  });

  it('handles CRLF line ends and a byte order mark', () => {
    const c = config('\uFEFF[repository]\r\nremote path = x\r\nlocal path = y\r\n', 'ini');
    expect(c.repository['local path']).toBe('y');
  });

  it('loads the same app as JSON to the identical config', () => {
    const fromIni = config([
      'name = web', 'depends = db',
      '[repository]', 'remote path = https://h/x.git', 'local path = /srv/web', 'branch = main',
      '[timing]', 'minimum = 5', 'maximum = 7.5',
      '[application]', 'start = node server.js', 'stop signal = SIGINT',
      '[application.env]', 'PORT = 8080',
      '[health]', 'interval = 3', '[health.http]', 'url = http://127.0.0.1:8080/health', 'status = 200',
      '[restart]', 'policy = on-failure', '[restart.backoff]', 'max = 30',
      '[scripts]', 'post-pull = npm ci, npm run build', 'timeout = 60',
    ].join('\n'), 'ini');
    const fromJson = config(JSON.stringify({
      name: 'web', depends: ['db'],
      repository: { 'remote path': 'https://h/x.git', 'local path': '/srv/web', branch: 'main' },
      timing: { minimum: 5, maximum: 7.5, watch: true },
      application: { start: 'node server.js', 'stop signal': 'SIGINT', env: { PORT: '8080' } },
      health: { interval: 3, http: { url: 'http://127.0.0.1:8080/health', status: 200 } },
      restart: { policy: 'on-failure', backoff: { max: 30 } },
      scripts: { 'post-pull': ['npm ci', 'npm run build'], timeout: 60 },
    }), 'json');
    expect(fromIni).toStrictEqual(fromJson);
    expect(JSON.stringify(fromIni)).toBe(JSON.stringify(fromJson));
    expect(fromIni.health?.http?.status).toBe('200');
  });

  it('treats keys such as __proto__ as plain (unknown) keys', () => {
    expect(errors(`constructor = 1\n${ini('[__proto__]\nx = 1')}`, 'ini')).toEqual([
      'app.ini: constructor: unknown key (known keys: name, depends, reload, repository, timing, application, health, restart, rollback, rollout, scripts, files, watchdog)',
      'app.ini: [__proto__]: unknown section (known sections: repository, timing, application, health, restart, rollback, rollout, scripts, watchdog)',
    ]);
    const env = config(json({ application: { start: 'x', env: {} } }).replace('"env":{}', '"env":{"__proto__":"x","constructor":"y"}'), 'json').application?.env ?? {};
    expect(Object.keys(env)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(env)).toBe(Object.prototype);
    expect(env['constructor']).toBe('y');
  });
});
