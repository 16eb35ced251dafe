// What the log and the CLI share without loading the logger itself: a `huddle poll` or
// `huddle status` process starts fast because it never loads winston.

export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;

/** The short commit id every log line and table shows. */
export function shortCommit(commit: string | null | undefined): string | undefined {
  return commit ? commit.slice(0, 7) : undefined;
}
