import type { Etcd3 } from 'etcd3';
import {
  DEFAULT_KEY_PREFIX, controlPrefix, failureKey, failuresPrefix, haltKey, haltedCommitKey, parseControlKey, pinKey,
  prefixEnd, targetKey,
} from './keys.js';

/** A ref published for the fleet (`fleet deploy`, `fleet pin`): a commit id, tag or branch name. */
export interface RefDecision {
  ref: string;
  at: string;
}

export interface HaltDecision {
  reason: string;
  at: string;
}

export interface HaltedCommit extends HaltDecision {
  commit: string;
  /** Nodes whose failures halted it (empty when an operator did). */
  nodes: string[];
}

/** Everything the fleet decided about one app, as read from etcd. */
export interface AppControl {
  target: RefDecision | null;
  pin: RefDecision | null;
  halt: HaltDecision | null;
  halted: Map<string, HaltedCommit>;
}

export function emptyControl(): AppControl {
  return { target: null, pin: null, halt: null, halted: new Map() };
}

function parse<T>(value: string): T | undefined {
  try {
    return JSON.parse(value) as T;
  } catch {
    return undefined; // a value some other writer mangled: ignored, as if absent
  }
}

/**
 * Applies one control key's value (or its deletion, `value` undefined) to `control`. Returns what
 * changed, so a watcher can act on it. Shared by the initial read and the watch.
 */
export function applyControl(
  control: AppControl, prefix: string, app: string, key: string, value: string | undefined,
): ReturnType<typeof parseControlKey> {
  const what = parseControlKey(prefix, app, key);
  if (!what) return undefined;
  if (what.kind === 'halted') {
    const halted = value === undefined ? undefined : parse<Omit<HaltedCommit, 'commit'>>(value);
    if (halted) control.halted.set(what.commit, { commit: what.commit, reason: halted.reason, at: halted.at, nodes: halted.nodes ?? [] });
    else control.halted.delete(what.commit);
    return what;
  }
  if (what.kind === 'halt') control.halt = value === undefined ? null : (parse<HaltDecision>(value) ?? null);
  else control[what.kind] = value === undefined ? null : (parse<RefDecision>(value) ?? null);
  return what;
}

/**
 * The fleet's decisions about apps, read and written in etcd: what operators say with `huddle fleet
 * deploy|pin|unpin|halt|resume`, and the halts the nodes themselves decide after failures.
 */
export class FleetControl {
  readonly prefix: string;

  constructor(
    private readonly client: Etcd3,
    options: { prefix?: string } = {},
  ) {
    this.prefix = options.prefix ?? DEFAULT_KEY_PREFIX;
  }

  /** Every decision about `app`, and the etcd revision it was read at (to watch from). */
  async read(app: string): Promise<{ control: AppControl; revision: string }> {
    const from = controlPrefix(this.prefix, app);
    const res = await this.client.kv.range({ key: Buffer.from(from), range_end: prefixEnd(from) });
    const control = emptyControl();
    for (const kv of res.kvs) applyControl(control, this.prefix, app, kv.key.toString(), kv.value.toString());
    return { control, revision: res.header.revision };
  }

  async deploy(app: string, ref: string): Promise<void> {
    await this.client.put(targetKey(this.prefix, app)).value(JSON.stringify({ ref, at: now() })).exec();
  }

  async pin(app: string, ref: string): Promise<void> {
    await this.client.put(pinKey(this.prefix, app)).value(JSON.stringify({ ref, at: now() })).exec();
  }

  /** True when there was a pin to remove. */
  async unpin(app: string): Promise<boolean> {
    const res = await this.client.delete().key(pinKey(this.prefix, app)).exec();
    return Number(res.deleted) > 0;
  }

  async halt(app: string, reason: string): Promise<void> {
    await this.client.put(haltKey(this.prefix, app)).value(JSON.stringify({ reason, at: now() })).exec();
  }

  /** Lifts the operator's halt of `app`; true when there was one. */
  async resume(app: string): Promise<boolean> {
    const res = await this.client.delete().key(haltKey(this.prefix, app)).exec();
    return Number(res.deleted) > 0;
  }

  /** Lifts the fleet-wide halt of one commit and forgets the failures that caused it. */
  async resumeCommit(app: string, commit: string): Promise<boolean> {
    const from = failuresPrefix(this.prefix, app, commit);
    const res = await this.client.kv.txn({
      compare: [],
      success: [
        { request_delete_range: { key: Buffer.from(haltedCommitKey(this.prefix, app, commit)) } },
        { request_delete_range: { key: Buffer.from(from), range_end: prefixEnd(from) } },
      ],
      failure: [],
    });
    return Number(res.responses[0]?.response_delete_range?.deleted ?? 0) > 0;
  }

  /** Halts one commit by hand (an operator who saw it misbehave). */
  async haltCommit(app: string, commit: string, reason: string): Promise<void> {
    await this.client
      .put(haltedCommitKey(this.prefix, app, commit))
      .value(JSON.stringify({ reason, at: now(), nodes: [] }))
      .exec();
  }

  /**
   * Records that `nodeId` rolled `commit` back; once `haltAfter` distinct nodes did, halts the
   * commit (exactly once: the halt is created only if absent). Returns the halt when there is one.
   */
  async recordFailure(
    app: string, commit: string, nodeId: string, reason: string, haltAfter: number | null,
  ): Promise<HaltedCommit | null> {
    await this.client.put(failureKey(this.prefix, app, commit, nodeId)).value(JSON.stringify({ reason, at: now() })).exec();
    if (haltAfter === null) return null;
    const from = failuresPrefix(this.prefix, app, commit);
    const failures = await this.client.getAll().prefix(from).strings();
    const nodes = Object.keys(failures).map((k) => decodeURIComponent(k.slice(from.length))).sort();
    if (nodes.length < haltAfter) return null;
    const halted: HaltedCommit = {
      commit,
      nodes,
      at: now(),
      reason: `rolled back on ${nodes.length} node(s) (${nodes.join(', ')}); last: ${reason}`,
    };
    const key = haltedCommitKey(this.prefix, app, commit);
    const { commit: _commit, ...value } = halted;
    await this.client.kv.txn({
      compare: [{ key: Buffer.from(key), target: 'Create', result: 'Equal', create_revision: '0' }],
      success: [{ request_put: { key: Buffer.from(key), value: Buffer.from(JSON.stringify(value)) } }],
      failure: [],
    });
    return halted;
  }
}

function now(): string {
  return new Date().toISOString();
}
