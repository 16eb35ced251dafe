// The subset of JSON Schema (draft-07) huddle's config schema uses, plus two annotations of our
// own that ajv is told about: `x-default` documents a default that is computed from other values
// (so it cannot be a literal `default`), and `x-ini` documents how a value is written in INI.

export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';

export interface JsonSchema {
  $schema?: string;
  $id?: string;
  title?: string;
  description?: string;
  type?: JsonType | JsonType[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  required?: string[];
  items?: JsonSchema;
  uniqueItems?: boolean;
  enum?: readonly (string | number)[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  default?: unknown;
  deprecated?: boolean;
  examples?: unknown[];
  'x-default'?: string;
  'x-ini'?: string;
}

/** The types a schema node admits, as a list. */
export function typesOf(schema: JsonSchema): JsonType[] {
  if (schema.type === undefined) return [];
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

/** True for nodes that are sections (objects) rather than leaf values. */
export function isSection(schema: JsonSchema | undefined): boolean {
  return schema !== undefined && typesOf(schema).includes('object');
}

/** True for lists whose entries are sections, such as `files` (`[files.<label>]` in INI). */
export function isListOfSections(schema: JsonSchema | undefined): boolean {
  return schema !== undefined && typesOf(schema).includes('array') && isSection(schema.items);
}

/** The schema node for a child key of an object node: a named property or a map entry. */
export function childSchema(schema: JsonSchema | undefined, key: string): JsonSchema | undefined {
  if (!schema) return undefined;
  if (schema.properties && Object.hasOwn(schema.properties, key)) return schema.properties[key];
  if (typeof schema.additionalProperties === 'object') return schema.additionalProperties;
  return undefined;
}
