/** A key path inside a config: object keys and array indexes, from the top. */
export type KeyPath = readonly (string | number)[];

/** A problem found at a key path, before it is turned into a ConfigError. */
export interface PathProblem { path: KeyPath; message: string }

/** JSON pointer of a key path (the form ajv reports). */
export function toPointer(path: KeyPath): string {
  return path.map((p) => `/${String(p).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

export function fromPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** Sets an own property, even one named `__proto__`. */
export function setOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
