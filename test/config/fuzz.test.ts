import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configToJson, formatConfigError, loadConfigText, type LoadResult } from '../../src/config/index.js';
import { validateAgainstSchema } from '../../src/config/validator.js';
import { seededRandom } from '../../bench/lib/random.js';

// Feeds thousands of seeded random mutations of valid configs to the loader and checks that it
// only ever answers with a config or with config errors: it never throws, and what it accepts is
// a valid config that loads back to itself when printed.

const examplesDir = new URL('../../configs.example/', import.meta.url);
const fixturesDir = new URL('../fixtures/config/original/', import.meta.url);
const releaseDir = new URL('../fixtures/config/release/', import.meta.url);
const rolloutDir = new URL('../fixtures/config/rollout/', import.meta.url);
const bases = [examplesDir, fixturesDir, releaseDir, rolloutDir].flatMap((dir) => readdirSync(dir)
  .filter((name) => /\.(json|ini)$/.test(name) && !name.startsWith('with-'))
  .map((name) => ({ format: name.endsWith('.json') ? 'json' as const : 'ini' as const, text: readFileSync(new URL(name, dir), 'utf8') })));

const env = { PORT: '8080', TOKEN: 'tok', EMPTY: '' };

const WEIRD_VALUES: unknown[] = [
  null, true, false, 0, -1, 1.5, 65536, 1e308, -1e-308, '', ' ', 'abc', '10', '0x10', '1e3', 'yes',
  '${PORT}', '${', '$${PORT}', '${NOPE}', '${NOPE:-7}', '${1}', '}', 'SIGKILL', 'SIGSTOP', 'http://x',
  'https://u:p@h:99/p', 'ftp://x', '200-399', '599-100', '127.0.0.1', '::1', 'a,b,,c', '\n', '\u0000',
  'x'.repeat(5000), [], {}, [1, 'a'], ['a', 'a'], { a: {} }, { http: {} }, [[[[[[[[]]]]]]]],
  { __proto__: null, x: 1 }, '__proto__', 'constructor', '0644', '999', '../etc', '/abs', 'v1.0', '-x',
  [{ path: '/x', content: 'y' }], [{ path: '/x' }], [{}], { 'allowed signers': 'k' }, 4294967295,
  '10%', '0%', '100%', '101%', ' 5 % ', '1.5%', 'hold', 'proceed',
];

const WEIRD_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '', ' ', 'Local Path',
  'local_path', 'remote  path', 'x'.repeat(300), 'health', 'http', 'tcp', '0', 'env', '$schema', 'name', 'depends',
  'files', 'reload', 'verify', 'content', 'source', 'mode', 'owner', 'user', 'ref', 'rollback',
  'rollout', 'max concurrent', 'halt after', 'on etcd loss'];

const WEIRD_LINES = ['[x]', '[', ']', '[]', '[.]', '[a.]', 'a', '=', ':', 'key =', '  continuation',
  '\tindented = x', '[health.tcp]', 'port = 99999', 'port = 80', '[health.http]', 'url = http://127.0.0.1/',
  '[restart.backoff.deeper]', '__proto__ = 1', '[__proto__]', '[constructor.prototype]', 'constructor = 1',
  'toString = x', '${', 'x = ${NOPE}', 'x = $${', '[application.env]', 'A = ${TOKEN}', '[watchdog]',
  'host = http://h', '[health]', 'depends = a, b', '# comment', '; comment', '', 'name = x y', 'name = -x',
  '[files.x]', '[files.0]', '[files]', 'path = /etc/x', 'content = ${TOKEN}', 'source = ../x', 'mode = 0999',
  'owner = 4294967295', 'group = root', '[repository.verify]', 'ref = -x', 'reload = x', '[rollback]', 'probation = -1',
  '[rollout]', 'max concurrent = 10%', 'max concurrent = 0%', 'max concurrent = 2', 'halt after = 0', 'on etcd loss = hodl'];

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T;
}

type Tree = Record<string, unknown>;

function objectsIn(value: unknown, out: Tree[] = []): Tree[] {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    out.push(value as Tree);
    for (const child of Object.values(value)) objectsIn(child, out);
  }
  return out;
}

function mutateTree(tree: Tree, random: () => number): void {
  const objects = objectsIn(tree);
  const target = pick(random, objects);
  const keys = Object.keys(target);
  const key = keys.length > 0 ? pick(random, keys) : undefined;
  const set = (k: string, v: unknown) => Object.defineProperty(target, k, { value: v, enumerable: true, writable: true, configurable: true });
  switch (Math.floor(random() * 5)) {
    case 0: // drop a key
      if (key !== undefined) delete target[key];
      break;
    case 1: { // rename a key: a typo, another case, or a strange name
      if (key === undefined) break;
      const value = target[key];
      delete target[key];
      const typo = random() < 0.5 ? pick(random, WEIRD_KEYS) : key.slice(0, -1) + String.fromCharCode(97 + Math.floor(random() * 26));
      set(random() < 0.2 ? key.toUpperCase() : typo, value);
      break;
    }
    case 2: // change a value's type
      if (key !== undefined) set(key, structuredClone(pick(random, WEIRD_VALUES)));
      break;
    default: // add a key
      set(pick(random, WEIRD_KEYS.concat(['interval', 'port', 'url', 'minimum', 'policy', 'pre-pull'])), structuredClone(pick(random, WEIRD_VALUES)));
  }
}

function mutateText(text: string, random: () => number): string {
  const at = Math.floor(random() * (text.length + 1));
  switch (Math.floor(random() * 4)) {
    case 0: return text.slice(0, at); // truncate
    case 1: return text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 5)); // delete
    case 2: return text.slice(0, at) + pick(random, ['{', '}', '[', ']', '"', ',', ':', '=', '\n', '\\', '$', '${', ' ', '\u00e9', '\r']) + text.slice(at);
    default: return text.slice(0, at) + text.slice(at).split('').reverse().join('').slice(0, 3) + text.slice(at + 3); // garble
  }
}

function mutateIni(text: string, random: () => number): string {
  const lines = text.split('\n');
  const i = Math.floor(random() * lines.length);
  switch (Math.floor(random() * 6)) {
    case 0: lines.splice(i, 1); break; // drop a line
    case 1: lines.splice(i, 0, lines[i] ?? ''); break; // duplicate it
    case 2: lines.splice(i, 0, pick(random, WEIRD_LINES)); break;
    case 3: lines[i] = `  ${lines[i] ?? ''}`; break; // indent it
    case 4: lines[i] = (lines[i] ?? '').replace(/[=:]/, (d) => (d === '=' ? ':' : '=')); break;
    default: return mutateText(text, random);
  }
  return lines.join('\n');
}

function check(result: LoadResult, file: string): void {
  if (result.ok) {
    expect(result.app.file).toBe(file);
    const copy = structuredClone(result.app.config);
    expect(validateAgainstSchema(copy)).toEqual([]);
    const again = loadConfigText(configToJson(result.app.config, { showSecrets: true }), 'json', file, {});
    expect(again.ok && again.app.config).toStrictEqual(result.app.config);
    return;
  }
  expect(result.errors.length).toBeGreaterThan(0);
  for (const error of result.errors) {
    expect(error.file).toBe(file);
    expect(typeof error.path).toBe('string');
    expect(typeof error.message).toBe('string');
    expect(error.message.length).toBeGreaterThan(0);
    expect(formatConfigError(error).length).toBeGreaterThan(0);
  }
}

describe('loader under random mutation', () => {
  it('has valid configs to start from', () => {
    expect(bases.length).toBeGreaterThanOrEqual(8);
    for (const base of bases) expect(loadConfigText(base.text, base.format, `/c/app.${base.format}`, env).ok).toBe(true);
  });

  it('returns a config or config errors for 4000 mutated configs, never throwing', () => {
    const random = seededRandom(20240611);
    const outcomes = { ok: 0, errors: 0 };
    for (let n = 0; n < 4000; n += 1) {
      const base = pick(random, bases);
      let text = base.text;
      let format = base.format;
      const rounds = 1 + Math.floor(random() * 3);
      if (format === 'json' && random() < 0.7) {
        const tree = JSON.parse(text) as Tree;
        for (let r = 0; r < rounds; r += 1) mutateTree(tree, random);
        text = JSON.stringify(tree, null, random() < 0.5 ? 2 : undefined);
        if (random() < 0.2) text = mutateText(text, random);
      } else {
        for (let r = 0; r < rounds; r += 1) text = format === 'ini' ? mutateIni(text, random) : mutateText(text, random);
      }
      // Now and then, read a file in the other format: JSON as INI and INI as JSON.
      if (random() < 0.05) format = format === 'json' ? 'ini' : 'json';
      const file = `/c/app${n}.${format}`;
      let result: LoadResult | undefined;
      try {
        result = loadConfigText(text, format, file, env);
      } catch (error) {
        throw new Error(`mutation ${n} threw ${String(error)} for:\n${text}`);
      }
      check(result, file);
      outcomes[result.ok ? 'ok' : 'errors'] += 1;
    }
    // Both answers occur often, so both paths were exercised.
    expect(outcomes.ok).toBeGreaterThan(400);
    expect(outcomes.errors).toBeGreaterThan(1000);
  });
});
