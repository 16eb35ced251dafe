import { describe, expect, it } from 'vitest';
import { medianInterval, summarise } from '../../bench/lib/stats.js';

describe("the bench's median interval", () => {
  const noisy = [41, 44, 39, 52, 47, 45, 60, 43, 38, 49, 46, 44, 41, 55, 42, 48, 40, 45, 50, 44];

  it('holds the median, lies within the values, and is the same each time', () => {
    const [low, high] = medianInterval(noisy);
    const { median, min, max } = summarise(noisy);
    expect(low).toBeLessThanOrEqual(median);
    expect(high).toBeGreaterThanOrEqual(median);
    expect(low).toBeGreaterThanOrEqual(min);
    expect(high).toBeLessThanOrEqual(max);
    expect(medianInterval(noisy)).toEqual([low, high]);
  });

  it('narrows as the runs grow in number', () => {
    const [low, high] = medianInterval(noisy);
    const [low4, high4] = medianInterval([...noisy, ...noisy, ...noisy, ...noisy]);
    expect(high4 - low4).toBeLessThan(high - low);
  });

  it('has nothing to say of fewer than two values', () => {
    expect(medianInterval([3])).toEqual([NaN, NaN]);
  });
});
