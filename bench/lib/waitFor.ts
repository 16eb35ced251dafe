// Shared by the benchmarks, the soak and the tests (test/fixtures re-exports it): wait for a
// condition with a deadline, never a blind sleep.

export interface WaitForOptions {
  timeoutMs: number;
  /** How often to check; 20 ms by default. */
  intervalMs?: number;
  /** Named in the error when the deadline passes. */
  what?: string;
  /** What is still missing, added to the error when the deadline passes. */
  describe?: () => string;
}

/**
 * Resolve with the first truthy value `cond` returns (sync or async); reject when the deadline
 * passes first. An exception thrown by `cond` counts as "not yet" and is reported at the deadline.
 */
export async function waitFor<T>(
  cond: () => T | Promise<T>,
  { timeoutMs, intervalMs = 20, what = 'condition', describe }: WaitForOptions,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await cond();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      const state = describe ? `\n${describe()}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}${state}`);
    }
    await delay(Math.min(intervalMs, Math.max(1, deadline - Date.now())));
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
