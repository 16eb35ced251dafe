import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatConfigError, isConfigFileName, loadConfigDir, loadConfigFile } from '../../src/config/index.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'huddle-config-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function app(name: string, extra: Record<string, unknown> = {}): void {
  writeFileSync(join(dir, name), JSON.stringify({ repository: { 'remote path': 'https://h/x.git', 'local path': `/srv/${name}` }, ...extra }));
}

function messages(result: { errors: { file: string; path: string; message: string }[] }): string[] {
  return result.errors.map((e) => formatConfigError(e)).sort();
}

describe('isConfigFileName', () => {
  it('takes *.json and *.ini in any case, except names starting with _ or .', () => {
    expect(['a.json', 'b.INI', 'c.Json', 'web.prod.ini'].map(isConfigFileName)).toEqual([true, true, true, true]);
    expect(['_a.json', '.b.ini', 'c.yaml', 'd.json.bak', 'ini', '.json', 'e.jsonx'].map(isConfigFileName)).toEqual([false, false, false, false, false, false, false]);
  });
});

describe('loadConfigDir', () => {
  it('returns the valid apps and the errors of the others', () => {
    app('a.json');
    writeFileSync(join(dir, 'b.ini'), '[repository]\nremote path = x\n');
    writeFileSync(join(dir, 'c.json'), '{ broken');
    app('D.JSON');
    const result = loadConfigDir(dir, {});
    expect(result.apps.map((a) => a.config.name)).toEqual(['D', 'a']);
    expect(result.apps.every((a) => a.file.startsWith(dir))).toBe(true);
    expect(messages(result)).toEqual([
      'b.ini: [repository] local path: required',
      'c.json: line 1, column 3: invalid JSON: Expected property name or \'}\'',
    ]);
  });

  it('skips ignored names, other files and directories', () => {
    app('a.json');
    app('_draft.json', { bogus: 1 });
    app('.hidden.ini');
    writeFileSync(join(dir, 'notes.txt'), 'x');
    mkdirSync(join(dir, 'sub.json'));
    symlinkSync(join(dir, 'a.json'), join(dir, 'link.json'));
    const result = loadConfigDir(dir, {});
    expect(result.apps.map((a) => a.config.name)).toEqual(['a', 'link']);
    expect(result.errors).toEqual([]);
  });

  it('refuses two files with the same app name, naming both', () => {
    app('a.json', { name: 'web' });
    app('web.json');
    app('other.json');
    const result = loadConfigDir(dir, {});
    expect(result.apps.map((a) => a.config.name)).toEqual(['other']);
    expect(messages(result)).toEqual([
      'a.json: name: the app name "web" is also used by web.json; names must be unique',
      'web.json: name: the app name "web" is also used by a.json; names must be unique',
    ]);
  });

  it('refuses unknown dependencies and leaves out apps that depend on left-out ones', () => {
    app('web.json', { depends: ['api'] });
    app('api.json', { depends: ['db'] });
    app('cache.json', { depends: ['broken'] });
    writeFileSync(join(dir, 'broken.ini'), 'nonsense');
    app('worker.json');
    const result = loadConfigDir(dir, {});
    expect(result.apps.map((a) => a.config.name)).toEqual(['worker']);
    expect(messages(result)).toEqual([
      'api.json: depends: unknown app "db": no config in this directory has that name',
      'broken.ini: line 1: expected "key = value", "key: value" or "[section]", got "nonsense"',
      'cache.json: depends: depends on "broken", which is not loaded because of errors in broken.ini',
      'web.json: depends: depends on "api", which is not loaded because of errors in api.json',
    ]);
  });

  it('refuses dependency cycles, naming every file in them, and keeps the rest', () => {
    app('a.json', { depends: ['b'] });
    app('b.json', { depends: ['c'] });
    app('c.json', { depends: ['a'] });
    app('d.json', { depends: ['a'] });
    app('e.json');
    const result = loadConfigDir(dir, {});
    expect(result.apps.map((a) => a.config.name)).toEqual(['e']);
    const cycle = 'dependency cycle: "a" (a.json) -> "b" (b.json) -> "c" (c.json) -> "a" (a.json)';
    expect(messages(result)).toEqual([
      `a.json: depends: ${cycle}`,
      `b.json: depends: ${cycle}`,
      `c.json: depends: ${cycle}`,
      'd.json: depends: depends on "a", which is not loaded because of errors in a.json',
    ]);
  });

  it('returns apps with their dependencies first', () => {
    app('a-web.json', { depends: ['m-api', 'z-cache'] });
    app('m-api.json', { depends: ['z-db'] });
    app('z-db.json');
    app('z-cache.json');
    app('b-solo.json');
    const result = loadConfigDir(dir, {});
    expect(result.errors).toEqual([]);
    expect(result.apps.map((a) => a.config.name)).toEqual(['z-db', 'm-api', 'z-cache', 'a-web', 'b-solo']);
  });

  it('handles a long dependency chain', () => {
    for (let i = 0; i < 300; i += 1) app(`n${i}.json`, i > 0 ? { depends: [`n${i - 1}`] } : {});
    const result = loadConfigDir(dir, {});
    expect(result.errors).toEqual([]);
    expect(result.apps.map((a) => a.config.name).slice(0, 3)).toEqual(['n0', 'n1', 'n2']);
  });

  it('reports a directory it cannot read', () => {
    const result = loadConfigDir(join(dir, 'missing'), {});
    expect(result.apps).toEqual([]);
    expect(messages(result)).toEqual(['missing: cannot read the config directory: no such directory']);
  });
});

describe('loadConfigFile', () => {
  it('reports files it cannot read or that are not configs', () => {
    const missing = loadConfigFile(join(dir, 'nope.json'), {});
    const other = loadConfigFile(join(dir, 'x.yaml'), {});
    mkdirSync(join(dir, 'd.ini'));
    const directory = loadConfigFile(join(dir, 'd.ini'), {});
    writeFileSync(join(dir, 'big.json'), ' '.repeat(1024 * 1024 + 1));
    const big = loadConfigFile(join(dir, 'big.json'), {});
    expect([missing, other, directory, big].flatMap((r) => (r.ok ? [] : r.errors.map((e) => formatConfigError(e))))).toEqual([
      'nope.json: cannot read the file: no such file',
      'x.yaml: not a config file: the name must end in .json or .ini',
      'd.ini: cannot read the file: it is a directory',
      'big.json: the file is too big for a config (1048577 bytes; at most 1048576)',
    ]);
  });

  it('gives the absolute file and the base name as the app name', () => {
    app('web.prod.json');
    const result = loadConfigFile(join(dir, 'web.prod.json'), {});
    expect(result.ok && result.app.file).toBe(join(dir, 'web.prod.json'));
    expect(result.ok && result.app.config.name).toBe('web.prod');
  });
});
