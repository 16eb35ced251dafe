import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { FORMATS } from './formats.js';
import { appConfigSchema } from './schema/index.js';

// One compiled validator for the whole schema. It also fills in every literal `default`
// (useDefaults), which is how the normalised config gets its defaults.

let compiled: ValidateFunction | undefined;

function compile(): ValidateFunction {
  const ajv = new Ajv({
    allErrors: true,
    useDefaults: true,
    verbose: true,
    allowUnionTypes: true,
    // `required` inside oneOf names properties declared one level up; that is intended.
    strictRequired: false,
  });
  ajv.addKeyword({ keyword: 'x-default', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'x-ini', schemaType: 'string' });
  for (const [name, format] of Object.entries(FORMATS)) ajv.addFormat(name, format.check);
  return ajv.compile(appConfigSchema);
}

/** Validates `data` in place (filling defaults) and returns ajv's errors, or [] when valid. */
export function validateAgainstSchema(data: unknown): ErrorObject[] {
  compiled ??= compile();
  return compiled(data) ? [] : [...(compiled.errors ?? [])];
}
