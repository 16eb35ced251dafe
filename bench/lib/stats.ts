import { seededRandom } from './random.js';

/** Median, min and max of a series; NaN for an empty one. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function summarise(values: readonly number[]): Summary {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const mid = Math.floor(n / 2);
  const median = n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[n - 1]!, n };
}

/** One value measured once: median = min = max. */
export function single(value: number): Summary {
  return summarise([value]);
}

/**
 * A percentile-bootstrap interval for the median of `values` (95 % by default): how far the median
 * of this many noisy runs could move from sample to sample. [NaN, NaN] for fewer than 2 values.
 */
export function medianInterval(values: readonly number[], level = 0.95, resamples = 4000): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length < 2) return [NaN, NaN];
  const random = seededRandom(finite.length * 7919 + 17);
  const medians: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const sample = finite.map(() => finite[Math.floor(random() * finite.length)]!);
    medians.push(summarise(sample).median);
  }
  medians.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return [medians[Math.floor(tail * resamples)]!, medians[Math.ceil((1 - tail) * resamples) - 1]!];
}
