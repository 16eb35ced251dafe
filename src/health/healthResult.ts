/** The outcome of one health check: never thrown, always reported. */
export interface HealthResult {
  ok: boolean;
  /** One line for status and logs: what was seen, or why the check failed. */
  detail: string;
  durationMs: number;
}
