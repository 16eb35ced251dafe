// Key layout of the fleet in etcd. Names are URI-encoded so an app or node name can never forge
// another key's path.

export const DEFAULT_KEY_PREFIX = 'huddle';

const enc = encodeURIComponent;

export function appsPrefix(prefix: string): string {
  return `${prefix}/apps/`;
}

export function nodesPrefix(prefix: string, app: string): string {
  return `${prefix}/apps/${enc(app)}/nodes/`;
}

export function nodeKey(prefix: string, app: string, nodeId: string): string {
  return `${nodesPrefix(prefix, app)}${enc(nodeId)}`;
}

export function slotsPrefix(prefix: string, app: string): string {
  return `${prefix}/apps/${enc(app)}/slots/`;
}

/** `{app, nodeId}` of a presence key, or undefined for any other key. */
export function parseNodeKey(prefix: string, key: string): { app: string; nodeId: string } | undefined {
  const head = appsPrefix(prefix);
  if (!key.startsWith(head)) return undefined;
  const parts = key.slice(head.length).split('/');
  if (parts.length !== 3 || parts[1] !== 'nodes') return undefined;
  return { app: decodeURIComponent(parts[0]!), nodeId: decodeURIComponent(parts[2]!) };
}

/** The first key after every key that starts with `prefix` (etcd's range_end for a prefix). */
export function prefixEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}
