import { fromPointer, type KeyPath } from './pathProblem.js';
import { childSchema, isSection, type JsonSchema } from './schema/jsonSchema.js';

// Key paths written the way an operator reads the file: `[restart.backoff] initial`,
// `[application.env] PORT`, `[scripts] pre-pull[1]`, `name`, `[health]`.

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describePath(path: KeyPath, schema: JsonSchema, data: unknown): string {
  const sections: string[] = [];
  let key = '';
  let node: JsonSchema | undefined = schema;
  let value: unknown = data;
  for (const segment of path) {
    if (key !== '') {
      key += typeof segment === 'number' || /^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`;
      continue;
    }
    const name = String(segment);
    const child = childSchema(node, name);
    const childValue = isPlainObject(value) && Object.hasOwn(value, name) ? value[name] : undefined;
    const section = child ? isSection(child) : isPlainObject(childValue);
    if (section) sections.push(name);
    else key = name;
    node = child;
    value = childValue;
  }
  const head = sections.length > 0 ? `[${sections.join('.')}]` : '';
  return [head, key].filter((s) => s !== '').join(' ');
}

export function describePointer(pointer: string, schema: JsonSchema, data: unknown): string {
  return describePath(fromPointer(pointer), schema, data);
}

/** `[restart.backoff]`-style name of the section at a path of object keys. */
export function sectionName(path: KeyPath): string {
  return `[${path.join('.')}]`;
}
