/** How a process ended: exactly one of the two is set (null/null only if it could not be observed). */
export interface ProcessExit {
  code: number | null;
  signal: string | null;
}
