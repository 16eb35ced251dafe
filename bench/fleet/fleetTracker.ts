// What the fleet looks like from the app actors' snapshots: each node's app state, how many nodes
// are inside an update at once, and when each node finished the rollout.

/** One node's app, as its last snapshot shows it. */
export interface AppView {
  /** Top-level state: `healthy`, `waitingForRollout`, `stopping`, … */
  state: string;
  /** Full state path, e.g. `waitingForRollout.retrying`. */
  path: string;
  commit: string | null;
  /** The running commit is on probation. */
  probation: boolean;
  lastError: string | null;
}

/** States in which the old version is down or the new one unproven: the node holds a slot. */
const UPDATE_STATES = new Set(['stopping', 'updating', 'starting', 'unhealthy']);

export class FleetTracker {
  private readonly views = new Map<string, AppView>();
  private readonly inUpdate = new Set<string>();
  private readonly doneAt = new Map<string, number>();
  /** The commit being rolled out; null before the push. */
  private target: string | null = null;
  /** Most nodes seen between stopping for the update and the end of their probation. */
  maxInUpdate = 0;
  /** Rollout-gate errors seen in snapshots (`lastError` from the rollout actor), by message. */
  readonly rolloutErrors = new Map<string, number>();
  /** Nodes that went through `waitingForRollout.retrying` (the gate rejected). */
  readonly retried = new Set<string>();
  /** Nodes whose app reached `failed`, `stopped` or `unhealthy` at some point of the rollout. */
  readonly troubled = new Map<string, string>();

  beginRollout(commit: string): void {
    this.target = commit;
    this.maxInUpdate = this.inUpdate.size;
  }

  update(node: string, view: AppView): void {
    const before = this.views.get(node);
    this.views.set(node, view);
    if (before?.lastError !== view.lastError && view.lastError?.startsWith('rollout:')) {
      this.rolloutErrors.set(view.lastError, (this.rolloutErrors.get(view.lastError) ?? 0) + 1);
    }
    if (view.path === 'waitingForRollout.retrying') this.retried.add(node);
    if (this.target === null) return;
    if (['failed', 'stopped', 'unhealthy'].includes(view.state)) this.troubled.set(node, `${view.state}: ${view.lastError ?? ''}`);
    if (UPDATE_STATES.has(view.state) || view.probation) this.inUpdate.add(node);
    else this.inUpdate.delete(node);
    this.maxInUpdate = Math.max(this.maxInUpdate, this.inUpdate.size);
    if (!this.doneAt.has(node) && this.isDone(view)) this.doneAt.set(node, Date.now());
  }

  /** Serving the target commit, past its probation (a poll in between still counts). */
  private isDone(view: AppView): boolean {
    return view.commit === this.target && !view.probation && (view.state === 'healthy' || view.state === 'fetching');
  }

  /** Nodes healthy on `commit` with no probation running. */
  healthyOn(commit: string): number {
    let n = 0;
    for (const view of this.views.values()) {
      if (view.commit === commit && !view.probation && view.state === 'healthy') n++;
    }
    return n;
  }

  get done(): number {
    return this.doneAt.size;
  }

  get lastDoneAt(): number | undefined {
    return this.doneAt.size === 0 ? undefined : Math.max(...this.doneAt.values());
  }

  get updatingNow(): number {
    return this.inUpdate.size;
  }

  /** `state (commit) × count`, for progress lines and stuck-node reports. */
  histogram(): string {
    const counts = new Map<string, number>();
    for (const view of this.views.values()) {
      const key = `${view.path}${view.commit === this.target ? ' (new)' : ''}${view.probation ? ' probation' : ''}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ×${n}`).join(', ');
  }

  /** Up to `limit` nodes not done yet, with what they show. */
  laggards(limit = 10): string[] {
    const out: string[] = [];
    for (const [node, view] of this.views) {
      if (this.doneAt.has(node)) continue;
      out.push(`${node}: ${view.path} on ${view.commit?.slice(0, 7) ?? '-'}${view.probation ? ' (probation)' : ''}${view.lastError ? ` [${view.lastError}]` : ''}`);
      if (out.length >= limit) break;
    }
    return out;
  }
}
