// Pure timing maths. Randomness is passed in (`random` in [0, 1)) so the charts only draw it inside
// their `delays` implementations, which tests replace with `provide({ delays })`.
import type { BackoffSpec } from './app.types.js';

/** Extra time the chart grants the process actor beyond its own stop timeout before it stops it itself. */
export const STOP_SAFETY_MARGIN_MS = 5_000;

/** A poll delay uniformly drawn in [minimumMs, maximumMs]. */
export function pollDelayMs(minimumMs: number, maximumMs: number, random: number): number {
  const low = Math.min(minimumMs, maximumMs);
  const high = Math.max(minimumMs, maximumMs);
  return Math.round(low + (high - low) * clampUnit(random));
}

/**
 * Nominal delay before restart number `attempt` (0-based), capped at max. With `firstMs`, the first
 * waits that and restart n ≥ 1 waits initial · factor^(n−1); without it, restart n waits
 * initial · factor^n.
 */
export function backoffBaseMs(backoff: BackoffSpec, attempt: number): number {
  let exponent = Math.max(0, attempt);
  if (backoff.firstMs !== undefined) {
    if (exponent === 0) return Math.min(backoff.maxMs, backoff.firstMs);
    exponent -= 1;
  }
  const raw = backoff.initialMs * Math.pow(backoff.factor, exponent);
  return Math.min(backoff.maxMs, Number.isFinite(raw) ? raw : backoff.maxMs);
}

/**
 * Takes up to `jitter` of the delay off at random: the result lies in [base·(1−jitter), base], so the
 * cap is never exceeded and nodes that failed together spread out.
 */
export function jitteredMs(baseMs: number, jitter: number, random: number): number {
  const fraction = Math.min(1, Math.max(0, jitter));
  return Math.round(baseMs * (1 - fraction * clampUnit(random)));
}

export function backoffDelayMs(backoff: BackoffSpec, attempt: number, random: number): number {
  return jitteredMs(backoffBaseMs(backoff, attempt), backoff.jitter, random);
}

function clampUnit(value: number): number {
  return Math.min(1, Math.max(0, value));
}
