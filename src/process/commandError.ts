export type CommandFailure = 'exit' | 'signal' | 'timeout' | 'aborted' | 'spawn';

export interface CommandErrorDetails {
  failure: CommandFailure;
  command: string;
  code: number | null;
  signal: string | null;
  /** The last lines of the command's output (redacted). */
  outputTail: string;
}

/** A hook or install command that failed, timed out, or could not start. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  readonly failure: CommandFailure;
  readonly command: string;
  readonly code: number | null;
  readonly signal: string | null;
  readonly outputTail: string;

  constructor(message: string, details: CommandErrorDetails) {
    super(details.outputTail ? `${message}\n${details.outputTail}` : message);
    this.failure = details.failure;
    this.command = details.command;
    this.code = details.code;
    this.signal = details.signal;
    this.outputTail = details.outputTail;
  }
}
