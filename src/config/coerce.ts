import { interpolate } from './interpolate.js';
import { entriesInOrder, IniValue, type IniSection } from './iniValue.js';
import { setOwn, toPointer, type KeyPath, type PathProblem } from './pathProblem.js';
import { childSchema, isListOfSections, typesOf, type JsonSchema } from './schema/jsonSchema.js';

// Gives raw values the types the schema asks for, so INI (where everything is text) and JSON load
// to the same thing, and expands `${NAME}` on the way. What cannot be converted is passed on as it
// is for the schema validator to report. Numeric text where a number is expected is accepted from
// JSON too: the original huddle ran int() on values such as "port": "8888".

export type SourceFormat = 'json' | 'ini';

export interface Coerced {
  data: unknown;
  problems: PathProblem[];
  /** Raw text of values changed by `${…}`, by JSON pointer: messages quote these, not secrets. */
  templates: Map<string, string>;
  /** INI labels of list entries by JSON pointer (`/files/0` is `nginx` for `[files.nginx]`). */
  labels: Map<string, string>;
}

interface Context {
  format: SourceFormat;
  env: NodeJS.ProcessEnv;
  problems: PathProblem[];
  templates: Map<string, string>;
  labels: Map<string, string>;
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
// configparser's spellings of true and false.
const BOOLEANS = new Map<string, boolean>([
  ['1', true], ['yes', true], ['true', true], ['on', true],
  ['0', false], ['no', false], ['false', false], ['off', false],
]);

export function coerceToSchema(raw: unknown, schema: JsonSchema, format: SourceFormat, env: NodeJS.ProcessEnv): Coerced {
  const ctx: Context = { format, env, problems: [], templates: new Map(), labels: new Map() };
  const data = coerceNode(raw, schema, [], ctx);
  return { data, problems: ctx.problems, templates: ctx.templates, labels: ctx.labels };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof IniValue);
}

/** Plain data for parts the schema does not describe: the validator reports them as unknown. */
function plain(value: unknown): unknown {
  if (value instanceof IniValue) return value.text;
  if (isObject(value)) {
    const out = {};
    for (const [k, v] of Object.entries(value)) setOwn(out, k, plain(v));
    return out;
  }
  return value;
}

function coerceNode(value: unknown, schema: JsonSchema | undefined, path: KeyPath, ctx: Context): unknown {
  if (!schema) return plain(value);
  const types = typesOf(schema);
  if (isListOfSections(schema)) {
    if (ctx.format === 'ini' && isObject(value)) return sectionsToList(value as IniSection, schema, path, ctx);
    // One value where a list of entries belongs: left as it is for the schema to report.
    if (value instanceof IniValue || typeof value === 'string') return plain(value);
  }
  if (value instanceof IniValue) return coerceText(expand(value.lines, path, ctx), value.multiline, schema, ctx);
  if (typeof value === 'string') return coerceText(expand([value], path, ctx), false, schema, ctx);
  if (Array.isArray(value)) {
    if (!types.includes('array')) return value;
    return value.map((item, i) => coerceNode(item, schema.items, [...path, i], ctx));
  }
  if (isObject(value)) {
    if (!types.includes('object')) return plain(value);
    return coerceObject(value, schema, path, ctx);
  }
  return value;
}

function coerceObject(value: Record<string, unknown> | IniSection, schema: JsonSchema, path: KeyPath, ctx: Context): object {
  const out = {};
  const known = schema.properties ?? {};
  const spelledAs = new Map<string, string>();
  for (const [rawKey, child] of Object.entries(value)) {
    let key = rawKey;
    // INI keys are case-insensitive where the schema fixes the key names, as in configparser.
    if (ctx.format === 'ini' && schema.properties) {
      const folded = rawKey.trim().toLowerCase();
      if (Object.hasOwn(known, folded)) key = folded;
    }
    const earlier = spelledAs.get(key);
    if (earlier !== undefined) {
      ctx.problems.push({ path: [...path, key], message: `appears twice (as "${earlier}" and "${rawKey}")` });
      continue;
    }
    spelledAs.set(key, rawKey);
    setOwn(out, key, coerceNode(child, childSchema(schema, key), [...path, key], ctx));
  }
  return out;
}

/**
 * `[files.<label>]` sections to the entries of the `files` list, in the order they appear; the
 * labels are kept only to name the entries in messages.
 */
function sectionsToList(section: IniSection, schema: JsonSchema, path: KeyPath, ctx: Context): unknown[] {
  const out: unknown[] = [];
  const stray: IniValue[] = [];
  const strayKeys: string[] = [];
  for (const [label, entry] of entriesInOrder(section)) {
    if (entry instanceof IniValue) {
      stray.push(entry);
      strayKeys.push(JSON.stringify(label));
      continue;
    }
    const itemPath = [...path, out.length];
    ctx.labels.set(toPointer(itemPath), label);
    out.push(coerceNode(entry, schema.items, itemPath, ctx));
  }
  const first = stray[0];
  if (first) {
    const what = stray.length === 1 ? `key ${strayKeys.join('')} on line ${first.line} is` : `keys ${strayKeys.join(', ')} (from line ${first.line}) are`;
    ctx.problems.push({ path, message: `${what} outside an entry: write each entry as its own [${path.join('.')}.<label>] section` });
  }
  return out;
}

/** Expands `${…}` in each line; on failure reports it and keeps the raw text. */
function expand(lines: readonly string[], path: KeyPath, ctx: Context): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const result = interpolate(line, ctx.env);
    if (!result.ok) {
      ctx.problems.push({ path, message: result.message });
      return [...lines];
    }
    out.push(result.value);
  }
  if (out.some((line, i) => line !== lines[i])) ctx.templates.set(toPointer(path), lines.join('\n'));
  return out;
}

function coerceText(lines: string[], multiline: boolean, schema: JsonSchema, ctx: Context): unknown {
  const types = typesOf(schema);
  const text = lines.join('\n');
  if (types.includes('array') && !types.includes('string')) {
    let items: string[];
    if (ctx.format === 'ini') {
      // As in the original huddle, commas separate the items of a one-line list; a list written
      // one item per line keeps its commas.
      items = (multiline ? lines : text.split(',')).map((s) => s.trim()).filter((s) => s !== '');
    } else {
      // In JSON a lone string is one item, never a list of its characters.
      items = text.trim() === '' ? [] : [text];
    }
    return items.map((item) => coerceScalar(item, schema.items ?? {}));
  }
  return coerceScalar(text, schema);
}

function coerceScalar(text: string, schema: JsonSchema): unknown {
  const types = typesOf(schema);
  const trimmed = text.trim();
  if ((types.includes('number') || types.includes('integer')) && NUMBER.test(trimmed)) {
    const n = Number(trimmed);
    if (Number.isFinite(n)) return n;
  }
  if (types.includes('boolean')) {
    const b = BOOLEANS.get(trimmed.toLowerCase());
    if (b !== undefined) return b;
  }
  // Named choices are read whatever their case: the original huddle lowercased `type` (`Git`),
  // and `sigterm` can only mean SIGTERM.
  const choice = schema.enum?.find((option) => typeof option === 'string' && option.toLowerCase() === trimmed.toLowerCase());
  if (choice !== undefined) return choice;
  return text;
}
