// Errors that cross the control socket. The server maps ControlHttpError to its status code; the
// client turns connection failures into DaemonNotRunningError so the CLI prints one clear line.

/** An error the server answers with `status` and `{ error: message }`. */
export class ControlHttpError extends Error {
  override readonly name: string = 'ControlHttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class UnknownAppError extends ControlHttpError {
  override readonly name = 'UnknownAppError';
  constructor(readonly app: string) {
    super(404, `unknown app "${app}"`);
  }
}

export class DaemonNotRunningError extends Error {
  override readonly name = 'DaemonNotRunningError';
  constructor(readonly socketPath: string) {
    super(`huddle daemon is not running (no socket at ${socketPath})`);
  }
}

/** A request the daemon answered with an error status; `message` is the daemon's. */
export class ControlRequestError extends Error {
  override readonly name = 'ControlRequestError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
