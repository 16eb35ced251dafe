import type { AppConfig } from './types.js';

// What `rollout.max concurrent` means for a fleet of a given size, kept next to the schema that
// defines its spellings so the daemon and the tools read it the same way.

export type Rollout = NonNullable<AppConfig['rollout']>;

/**
 * Slots of the fleet-wide semaphore for one app: the number as written, or the percentage of
 * `nodes` (the live nodes that run the app) rounded down, so the bound is never exceeded, but never
 * fewer than 1, so a rollout always moves.
 */
export function rolloutSlots(maxConcurrent: Rollout['max concurrent'], nodes: number): number {
  if (typeof maxConcurrent === 'number') return maxConcurrent;
  const percent = Number.parseInt(maxConcurrent, 10);
  return Math.max(1, Math.floor((Math.max(0, nodes) * percent) / 100));
}
