import type { ErrorObject } from 'ajv';
import { FORMATS } from './formats.js';
import { LEGACY_HINTS } from './legacy.js';
import { fromPointer, type PathProblem } from './pathProblem.js';
import { NON_BLANK, NUMBER_TEXT, WHOLE_NUMBER_TEXT } from './schema/common.js';
import { appConfigSchema } from './schema/index.js';
import { isListOfSections, isSection, typesOf, type JsonSchema, type JsonType } from './schema/jsonSchema.js';
import { describeValue } from './quote.js';
import { nearest } from './suggest.js';

// Turns ajv's errors into the sentences an operator reads: what is wrong with which key, what
// was found, and the nearest known spelling when a key or value looks like a typo.

const TYPE_WORDS: Record<JsonType, string> = {
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a section',
};

const PATTERN_MESSAGES: Record<string, string> = {
  [NON_BLANK]: 'must not be empty',
  [NUMBER_TEXT]: 'must be a number',
  [WHOLE_NUMBER_TEXT]: 'must be a whole number',
};

function unknownKey(parentPointer: string, key: string, parentSchema: JsonSchema | undefined, isObjectValue: boolean): string {
  const hint = LEGACY_HINTS[`${parentPointer}/${key}`];
  if (hint) return hint;
  const topLevel = appConfigSchema.properties?.[key];
  if (parentPointer !== '' && topLevel && isListOfSections(topLevel)) {
    return `unknown key here; "${key}" is a top-level list (in INI, [${key}.<label>] sections)`;
  }
  if (parentPointer !== '' && topLevel && !isSection(topLevel)) {
    return `unknown key here; "${key}" is a top-level key (in INI, write it before the first section)`;
  }
  const known = Object.keys(parentSchema?.properties ?? {}).filter((k) => k !== '$schema');
  const candidates = known.filter((k) => isSection(parentSchema?.properties?.[k]) === isObjectValue);
  const suggestion = nearest(key, candidates.length > 0 ? candidates : known) ?? nearest(key, known);
  const what = isObjectValue ? 'unknown section' : 'unknown key';
  if (suggestion) return `${what}; did you mean "${suggestion}"?`;
  const listed = isObjectValue && candidates.length > 0 ? `known sections: ${candidates.join(', ')}` : `known keys: ${known.join(', ')}`;
  return `${what} (${listed})`;
}

function typeMessage(expected: JsonType[], pointer: string, found: string, schema?: JsonSchema): string {
  const words = expected.map((t) => TYPE_WORDS[t]).join(' or ');
  const segments = fromPointer(pointer);
  // A number or formatted text (`max concurrent`: 3 or "10%"): "a whole number or text" would
  // hide which text; the format's sentence names both spellings.
  const format = schema?.format === undefined ? undefined : FORMATS[schema.format];
  if (format && expected.length > 1 && expected.includes('string') && !expected.includes('object')) {
    return `${format.message}, got ${found}`;
  }
  if (expected.length === 1 && isListOfSections(schema)) {
    return `must be a list of entries ([${segments.join('.')}.<label>] sections in INI, a list of objects in JSON), got ${found}`;
  }
  if (expected.length === 1 && expected[0] === 'object' && /^\d+$/.test(segments[segments.length - 1] ?? '')) {
    return `must be an object ({ ... } in JSON; in INI a [${segments.slice(0, -1).join('.')}.<label>] section), got ${found}`;
  }
  if (expected.length === 1 && expected[0] === 'object') {
    return `must be a section ([${segments.join('.')}] in INI, an object in JSON), got ${found}`;
  }
  if (expected.length === 1 && expected[0] === 'string' && found !== 'a list' && found !== 'a section') {
    return `must be text (in JSON, put it in quotes), got ${found}`;
  }
  return `must be ${words}, got ${found}`;
}

function enumMessage(allowed: readonly unknown[], value: unknown, found: string): string {
  const names = allowed.map(String);
  const suggestion = typeof value === 'string' ? nearest(value, names) : undefined;
  const list = names.length <= 6 ? `one of ${names.join(', ')}` : `one of the ${names.length} accepted values (such as ${names.slice(0, 3).join(', ')})`;
  return `must be ${list}, got ${found}${suggestion ? `; did you mean "${suggestion}"?` : ''}`;
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The keys a oneOf or anyOf asks for, as written: `[health.http]` for a section, `"content"` for a key. */
function alternatives(error: ErrorObject, branches: JsonSchema[]): string[] {
  const parent = error.parentSchema as JsonSchema | undefined;
  return branches.map((b) => b.required?.[0] ?? '?').map((o) => (isSection(parent?.properties?.[o])
    ? `[${[...fromPointer(error.instancePath), o].join('.')}]`
    : JSON.stringify(o)));
}

function oneOfMessage(error: ErrorObject): string {
  const options = alternatives(error, (error.parentSchema as JsonSchema | undefined)?.oneOf ?? []);
  const passing = (error.params as { passingSchemas: number[] | null }).passingSchemas;
  if (passing === null) return `needs one of ${options.join(' or ')}`;
  return `has both ${passing.map((i) => options[i]).join(' and ')}; keep only one`;
}

function anyOfMessage(error: ErrorObject): string {
  const options = alternatives(error, (error.parentSchema as JsonSchema | undefined)?.anyOf ?? []);
  if (options.length === 2) return `needs ${options[0] ?? ''} or ${options[1] ?? ''} (or both)`;
  return `needs at least one of ${options.join(', ')}`;
}

/** One problem per ajv error that an operator needs to see (branch noise is dropped). */
export function translateAjvErrors(errors: ErrorObject[], templates: Map<string, string>): PathProblem[] {
  const problems: PathProblem[] = [];
  const path = (pointer: string) => fromPointer(pointer);
  for (const error of errors) {
    // oneOf, anyOf and propertyNames report their sub-schemas' failures too; their own error says it all.
    if (/\/(oneOf|anyOf|propertyNames)\//.test(error.schemaPath)) continue;
    const pointer = error.instancePath;
    const found = describeValue(error.data, templates.get(pointer));
    const parent = error.parentSchema as JsonSchema | undefined;
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case 'required': {
        const missing = String(params['missingProperty']);
        problems.push({ path: [...path(pointer), missing], message: 'required' });
        break;
      }
      case 'additionalProperties': {
        const key = String(params['additionalProperty']);
        const data = error.data as Record<string, unknown>;
        const value = data[key];
        const isObjectValue = typeof value === 'object' && value !== null && !Array.isArray(value);
        problems.push({ path: [...path(pointer), key], message: unknownKey(pointer, key, parent, isObjectValue) });
        break;
      }
      case 'propertyNames': {
        const key = String(params['propertyName']);
        problems.push({
          path: [...path(pointer), key],
          message: 'is not a valid variable name: use letters, digits and _, not starting with a digit',
        });
        break;
      }
      case 'type':
        problems.push({ path: path(pointer), message: typeMessage(parent ? typesOf(parent) : [], pointer, found, parent) });
        break;
      case 'enum':
        problems.push({ path: path(pointer), message: enumMessage(parent?.enum ?? [], error.data, found) });
        break;
      case 'minimum':
        problems.push({ path: path(pointer), message: `must be at least ${String(params['limit'])}, got ${found}` });
        break;
      case 'maximum':
        problems.push({ path: path(pointer), message: `must be at most ${String(params['limit'])}, got ${found}` });
        break;
      case 'exclusiveMinimum':
        problems.push({ path: path(pointer), message: `must be greater than ${String(params['limit'])}, got ${found}` });
        break;
      case 'pattern': {
        const message = PATTERN_MESSAGES[String(params['pattern'])] ?? `must match ${String(params['pattern'])}`;
        problems.push({ path: path(pointer), message: error.data === '' ? message : `${message}, got ${found}` });
        break;
      }
      case 'format': {
        const format = FORMATS[String(params['format'])];
        problems.push({ path: path(pointer), message: `${format?.message ?? 'is not valid'}, got ${found}` });
        break;
      }
      case 'uniqueItems': {
        const list = error.data as unknown[];
        const twice = describeValue(list[Number(params['j'])]);
        problems.push({ path: path(pointer), message: `lists ${twice} twice` });
        break;
      }
      // Their branches only name keys: on something that is not an object they say nothing
      // useful, and the type error says what is wrong.
      case 'oneOf':
        if (isPlainObject(error.data)) problems.push({ path: path(pointer), message: oneOfMessage(error) });
        break;
      case 'anyOf':
        if (isPlainObject(error.data)) problems.push({ path: path(pointer), message: anyOfMessage(error) });
        break;
      default:
        problems.push({ path: path(pointer), message: error.message ?? `fails ${error.keyword}` });
    }
  }
  return problems;
}
