import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, Options, ValidateFunction } from 'ajv';
import type * as AjvModule from 'ajv';
import { FORMATS } from './formats.js';
import { appConfigSchema } from './schema/index.js';

// One compiled validator for the whole schema. It also fills in every literal `default`
// (useDefaults), which is how the normalised config gets its defaults.
//
// The build compiles it once more, to plain code (`npm run build` runs writeValidator.js, ajv's
// "standalone" validation code): the daemon loads that module instead of ajv, whose compiler and
// its work cost the daemon's memory for as long as it runs (0.7 MB resident at 1 app, measured).
// Where there is no such module (the sources run by the tests), or it was made from another
// schema, ajv compiles the schema here as before.

export const AJV_OPTIONS: Options = {
  allErrors: true,
  useDefaults: true,
  verbose: true,
  allowUnionTypes: true,
  // `required` inside oneOf names properties declared one level up; that is intended.
  strictRequired: false,
};

/** The keywords and formats the schema uses, on an ajv instance made with AJV_OPTIONS. */
export function configureAjv(ajv: Ajv): Ajv {
  ajv.addKeyword({ keyword: 'x-default', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'x-ini', schemaType: 'string' });
  for (const [name, format] of Object.entries(FORMATS)) ajv.addFormat(name, format.check);
  return ajv;
}

/** Names the schema a generated validator was made from. */
export function schemaDigest(): string {
  return createHash('sha256').update(JSON.stringify(appConfigSchema)).digest('hex');
}

/** The module `npm run build` writes beside this one. */
export const GENERATED_VALIDATOR = 'schemaValidator.generated.js';

let compiled: ValidateFunction | undefined;

function compile(): ValidateFunction {
  // Loaded only here: a daemon that found the generated module never loads ajv.
  const { Ajv } = createRequire(import.meta.url)('ajv') as typeof AjvModule;
  return configureAjv(new Ajv(AJV_OPTIONS)).compile(appConfigSchema);
}

/**
 * Use the validator generated at build time, when it is there and made from this schema. Call
 * before the first validation (the daemon does, at start); without it ajv compiles the schema.
 */
export async function preloadGeneratedValidator(): Promise<boolean> {
  if (compiled) return false;
  try {
    const generated = (await import(new URL(`./${GENERATED_VALIDATOR}`, import.meta.url).href)) as { validate: ValidateFunction; digest: string };
    if (generated.digest !== schemaDigest()) return false;
    compiled = generated.validate;
    return true;
  } catch {
    return false;
  }
}

/** Validates `data` in place (filling defaults) and returns ajv's errors, or [] when valid. */
export function validateAgainstSchema(data: unknown): ErrorObject[] {
  compiled ??= compile();
  return compiled(data) ? [] : [...(compiled.errors ?? [])];
}
