/** What every scenario is given by run.ts. */
export interface BenchOptions {
  /** Repetitions of each timed measurement. */
  runs: number;
  /** Seconds of each footprint window. */
  windowSeconds: number;
  /** App counts of the footprint scenario. */
  sizes: number[];
  /** Unchanged polls measured by the poll-cost scenario. */
  polls: number;
  quick: boolean;
  /** Progress lines go here (stderr), apart from the final table. */
  log: (line: string) => void;
}
