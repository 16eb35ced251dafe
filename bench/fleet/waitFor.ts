/**
 * Resolves with the first truthy value of `cond`, checked every `intervalMs`; rejects once
 * `timeoutMs` passed, with `describe()` (what is still missing) in the message.
 */
export async function waitFor<T>(
  cond: () => T | Promise<T>,
  { timeoutMs, intervalMs = 20, what, describe }: { timeoutMs: number; intervalMs?: number; what: string; describe?: () => string },
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
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(1, deadline - Date.now()))));
  }
}
