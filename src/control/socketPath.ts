// sun_path is 108 bytes with the terminating NUL; Node silently truncates a longer path and
// would listen (or connect) somewhere else entirely, so both ends check first.
export const MAX_SOCKET_PATH_BYTES = 107;

export function checkSocketPathLength(socketPath: string): void {
  const bytes = Buffer.byteLength(socketPath);
  if (bytes > MAX_SOCKET_PATH_BYTES) {
    throw new Error(
      `control socket path is too long for a unix socket (${bytes} bytes, at most ${MAX_SOCKET_PATH_BYTES}): ` +
        `${socketPath}; use a shorter --state-dir`,
    );
  }
}
