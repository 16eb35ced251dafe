import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../bench/lib/random.js';
import { schemaDigest, validateAgainstSchema } from '../../src/config/validator.js';
import { generatedValidator } from '../../src/config/writeValidator.js';

// The daemon validates configs with the code `npm run build` generates from the schema, the tests
// (and anything run from the sources) with ajv compiling it: both must say the same of every
// config, and fill in the same defaults.

const dir = mkdtempSync(join(tmpdir(), 'huddle-validator-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function loadGenerated(): Promise<{ validate: ValidateFunction; digest: string }> {
  const file = join(dir, 'validator.mjs');
  writeFileSync(file, generatedValidator(fileURLToPath(new URL('../../src/config/formats.ts', import.meta.url))));
  return (await import(file)) as { validate: ValidateFunction; digest: string };
}

const examples = [new URL('../../configs.example/', import.meta.url), new URL('../fixtures/config/original/', import.meta.url)]
  .flatMap((base) => readdirSync(base).filter((name) => name.endsWith('.json')).map((name) => readFileSync(new URL(name, base), 'utf8')))
  .map((text) => JSON.parse(text) as Record<string, unknown>);

const VALUES: unknown[] = [null, true, 0, -1, 1.5, 65536, '', 'abc', '10', 'SIGKILL', 'http://x', 'ftp://x', '200-399', '599-100',
  '127.0.0.1', [], {}, [1, 'a'], { http: {} }, '10%', '101%', 'hold', '/abs', '-x', [{ path: '/x', content: 'y' }]];

/** Every path to a value in `data`, objects and arrays included. */
function paths(data: unknown, prefix: string[] = []): string[][] {
  if (data === null || typeof data !== 'object') return [prefix];
  return [prefix, ...Object.entries(data).flatMap(([key, value]) => paths(value, [...prefix, key]))];
}

function withValue(data: unknown, path: string[], value: unknown): unknown {
  const copy = structuredClone(data) as Record<string, unknown>;
  if (path.length === 0) return value;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  at[path.at(-1)!] = structuredClone(value);
  return copy;
}

function errorsOf(validate: ValidateFunction, data: unknown): ErrorObject[] {
  return validate(data) ? [] : [...(validate.errors ?? [])];
}

describe('the validator generated at build time', () => {
  it('is made from the schema as it is now', async () => {
    expect((await loadGenerated()).digest).toBe(schemaDigest());
  });

  it('says what ajv says of the examples and of thousands of changes to them, defaults included', async () => {
    const { validate } = await loadGenerated();
    expect(examples.length).toBeGreaterThan(3);
    const random = seededRandom(20261122);
    let compared = 0;
    for (const example of examples) {
      for (const path of paths(example)) {
        for (const value of VALUES) {
          if (random() > 0.5) continue;
          const a = withValue(example, path, value);
          const b = structuredClone(a);
          expect(errorsOf(validate, b)).toEqual(validateAgainstSchema(a));
          expect(b).toEqual(a);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });
});
