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

/** Waiters and holders of an app's rollout slots, in arrival order (see FleetSemaphore). */
export function queuePrefix(prefix: string, app: string): string {
  return `${prefix}/apps/${enc(app)}/queue/`;
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

// ---- fleet-wide decisions about one app (written by operators and by the nodes) ----
// All of them live under one prefix per app, so a node watches exactly what concerns it and never
// the presence or slot churn of the rest of the fleet.

export function controlPrefix(prefix: string, app: string): string {
  return `${prefix}/apps/${enc(app)}/control/`;
}

/** `huddle fleet deploy`: a ref every node deploys at once. */
export function targetKey(prefix: string, app: string): string {
  return `${controlPrefix(prefix, app)}target`;
}

/** `huddle fleet pin`: the ref the fleet runs whatever the branch does. */
export function pinKey(prefix: string, app: string): string {
  return `${controlPrefix(prefix, app)}pin`;
}

/** `huddle fleet halt`: no node starts an update of the app until `resume`. */
export function haltKey(prefix: string, app: string): string {
  return `${controlPrefix(prefix, app)}halt`;
}

/** A commit halted fleet-wide (after `halt after` nodes failed it). */
export function haltedCommitKey(prefix: string, app: string, commit: string): string {
  return `${controlPrefix(prefix, app)}halted/${enc(commit)}`;
}

/** What a control key is about, or undefined for a key that is not one. */
export type ControlKey = { kind: 'target' | 'pin' | 'halt' } | { kind: 'halted'; commit: string };

export function parseControlKey(prefix: string, app: string, key: string): ControlKey | undefined {
  const head = controlPrefix(prefix, app);
  if (!key.startsWith(head)) return undefined;
  const rest = key.slice(head.length);
  if (rest === 'target' || rest === 'pin' || rest === 'halt') return { kind: rest };
  if (rest.startsWith('halted/') && rest.length > 'halted/'.length) {
    return { kind: 'halted', commit: decodeURIComponent(rest.slice('halted/'.length)) };
  }
  return undefined;
}

/** Nodes that rolled `commit` back, one key each (no lease: a failure stays a fact). */
export function failuresPrefix(prefix: string, app: string, commit: string): string {
  return `${prefix}/apps/${enc(app)}/failures/${enc(commit)}/`;
}

export function failureKey(prefix: string, app: string, commit: string, nodeId: string): string {
  return `${failuresPrefix(prefix, app, commit)}${enc(nodeId)}`;
}
