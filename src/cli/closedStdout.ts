// `huddle chart app | head`: a reader that goes away is not an error. The daemon keeps running
// when whoever read its stdout is gone; its apps matter more than its log lines.

let installed = false;

/** Call before the first write: touching process.stdout builds the stream, a few ms of a command. Idempotent. */
export function tolerateClosedStdout(argv: readonly string[] = process.argv): void {
  if (installed) return;
  installed = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    const daemon = argv.includes('run') || argv.includes('-c') || argv.includes('--config');
    if (!daemon) process.exit(0);
  });
}
