import { MAX_ACCOUNT_ID } from '../formats.js';
import type { JsonSchema } from './jsonSchema.js';

// Building blocks shared by the section schemas, so every duration, port and command is
// described, bounded and documented the same way.

/**
 * Longest duration accepted anywhere: Node timers overflow past 2^31-1 ms (about 24.8 days)
 * and then fire at once, so anything longer would turn into a tight loop.
 */
export const MAX_SECONDS = 2_000_000;

/** Patterns whose failures get their own sentence (see messages.ts). */
export const NON_BLANK = '\\S';
export const NUMBER_TEXT = '^\\s*\\d+(\\.\\d*)?\\s*$';
export const WHOLE_NUMBER_TEXT = '^\\s*\\d+\\s*$';

interface SecondsOptions {
  default?: number;
  'x-default'?: string;
  /** Allow 0 (otherwise the value must be greater than 0). */
  zero?: boolean;
}

export function seconds(description: string, options: SecondsOptions = {}): JsonSchema {
  const schema: JsonSchema = { type: 'number', description };
  if (options.zero) schema.minimum = 0;
  else schema.exclusiveMinimum = 0;
  schema.maximum = MAX_SECONDS;
  if (options.default !== undefined) schema.default = options.default;
  if (options['x-default'] !== undefined) schema['x-default'] = options['x-default'];
  return schema;
}

/** Text that must contain something other than blanks. */
export function requiredText(description: string): JsonSchema {
  return { type: 'string', pattern: NON_BLANK, description };
}

export function text(description: string, defaultValue?: string): JsonSchema {
  const schema: JsonSchema = { type: 'string', description };
  if (defaultValue !== undefined) schema.default = defaultValue;
  return schema;
}

export function port(description: string): JsonSchema {
  return { type: 'integer', minimum: 1, maximum: 65535, description };
}

/** A user or group: a name, or a numeric id (given as a number or as digits in text). */
export function account(description: string): JsonSchema {
  return { type: ['integer', 'string'], format: 'account', minimum: 0, maximum: MAX_ACCOUNT_ID, description };
}

/** A list of shell-free command lines; see the loader for how INI and JSON write them. */
export function commandList(description: string): JsonSchema {
  return {
    type: 'array',
    items: { type: 'string', pattern: NON_BLANK },
    default: [],
    description: `${description} In JSON: a list of command lines, or one string for a single command.`,
    'x-ini': 'comma-separated on one line, or one command per indented continuation line',
  };
}

/** An object section whose keys are fixed by `properties`. */
export function section(description: string, properties: Record<string, JsonSchema>,
  extra: Partial<JsonSchema> = {}): JsonSchema {
  return { type: 'object', description, additionalProperties: false, properties, ...extra };
}
