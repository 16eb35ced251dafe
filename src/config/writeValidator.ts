// `npm run build` runs this after tsc: the config schema's validator as plain code, beside
// validator.js in dist (see validator.ts for why). `node dist/src/config/writeValidator.js [FILE]`.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, _ } from 'ajv';
import * as standalone from 'ajv/dist/standalone/index.js';
import { appConfigSchema } from './schema/index.js';
import { AJV_OPTIONS, configureAjv, GENERATED_VALIDATOR, schemaDigest } from './validator.js';

/** The module's text; its format checks are imported from `formatsModule`. */
export function generatedValidator(formatsModule = './formats.js'): string {
  const ajv = configureAjv(new Ajv({ ...AJV_OPTIONS, code: { source: true, esm: true, formats: _`formatChecks` } }));
  // CommonJS: Node hands its exports over as `default`, and ajv sets the function there again.
  const code = standalone.default.default(ajv, ajv.compile(appConfigSchema));
  return [
    '// Written by `npm run build` (src/config/writeValidator.ts) from the config schema: do not edit.',
    `import { FORMATS } from ${JSON.stringify(formatsModule)};`,
    'const formatChecks = Object.fromEntries(Object.entries(FORMATS).map(([name, format]) => [name, format.check]));',
    `export const digest = ${JSON.stringify(schemaDigest())};`,
    code,
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2] ?? fileURLToPath(new URL(`./${GENERATED_VALIDATOR}`, import.meta.url));
  writeFileSync(file, generatedValidator());
}
