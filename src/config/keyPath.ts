import { fromPointer, toPointer, type KeyPath } from './pathProblem.js';
import { childSchema, isSection, type JsonSchema } from './schema/jsonSchema.js';

// Key paths written the way an operator reads the file: `[restart.backoff] initial`,
// `[application.env] PORT`, `[scripts] pre-pull[1]`, `name`, `[health]`.

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `labels` names list entries that INI wrote as sections (`/files/0` → `nginx`), so a message
 * points at `[files.nginx] mode` rather than `files[0].mode`.
 */
export function describePath(path: KeyPath, schema: JsonSchema, data: unknown,
  labels: ReadonlyMap<string, string> = new Map()): string {
  const sections: string[] = [];
  let key = '';
  let node: JsonSchema | undefined = schema;
  let value: unknown = data;
  for (const [i, segment] of path.entries()) {
    const label = key !== '' ? labels.get(toPointer(path.slice(0, i + 1))) : undefined;
    if (label !== undefined) {
      sections.push(key, label);
      key = '';
      node = node?.items;
      value = Array.isArray(value) ? value[Number(segment)] : undefined;
      continue;
    }
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
