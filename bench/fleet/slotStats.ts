// Figures of the semaphore's use, from the slot holds the watch saw.
import type { SlotMonitor } from './slotMonitor.js';

export interface Spread {
  mean: number;
  p50: number;
  p95: number;
  max: number;
  n: number;
}

export function spread(values: number[]): Spread {
  if (values.length === 0) return { mean: NaN, p50: NaN, p95: NaN, max: NaN, n: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { mean: sorted.reduce((a, b) => a + b, 0) / sorted.length, p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1]!, n: sorted.length };
}

export interface SlotStats {
  /** How long each slot key lived. */
  hold: Spread;
  /** From a release to the next take while nodes were still waiting: a slot standing idle. */
  handoff: Spread;
  /** Mean slots held over [from, to] divided by the limit. */
  utilisation: number;
  /** Nodes that took more (or fewer) than one slot during the rollout. */
  oddNodes: Array<{ node: string; slots: number }>;
  stillHeld: number;
  /** Slots taken during the rollout. */
  taken: number;
  /** From `from` until every slot was held for the first time (the first wave in). */
  firstFullAfter: number | undefined;
}

export function slotStats(monitor: SlotMonitor, nodes: string[], limit: number, from: number, to: number): SlotStats {
  const holds = monitor.holds.filter((h) => h.takenAt >= from);
  const hold = spread(holds.filter((h) => h.releasedAt !== null).map((h) => h.releasedAt! - h.takenAt));
  const takes = holds.map((h) => h.takenAt).sort((a, b) => a - b);
  const gaps: number[] = [];
  for (const h of holds) {
    if (h.releasedAt === null) continue;
    const next = takes.find((t) => t >= h.releasedAt!);
    if (next !== undefined) gaps.push(next - h.releasedAt);
  }
  // Integral of the held count over the window, from the ordered changes.
  let held = 0;
  let area = 0;
  let last = from;
  for (const change of monitor.changes) {
    if (change.at < from) {
      held += change.delta;
      continue;
    }
    if (change.at > to) break;
    area += held * (change.at - last);
    held += change.delta;
    last = change.at;
  }
  area += held * Math.max(0, to - last);
  let count = 0;
  let firstFullAfter: number | undefined;
  for (const change of monitor.changes) {
    count += change.delta;
    if (change.at >= from && count >= limit) {
      firstFullAfter = change.at - from;
      break;
    }
  }
  const perNode = new Map<string, number>(nodes.map((n) => [n, 0]));
  for (const h of holds) perNode.set(h.node, (perNode.get(h.node) ?? 0) + 1);
  return {
    hold,
    handoff: spread(gaps),
    utilisation: to > from ? area / (limit * (to - from)) : NaN,
    oddNodes: [...perNode].filter(([, n]) => n !== 1).map(([node, slots]) => ({ node, slots })),
    stillHeld: holds.filter((h) => h.releasedAt === null).length,
    taken: holds.length,
    firstFullAfter,
  };
}
