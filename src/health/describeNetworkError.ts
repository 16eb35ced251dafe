/** A network failure in words an operator reads in `huddle status`. */
export function describeNetworkError(error: unknown, host: string, port: number | string): string {
  const e = error as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ECONNREFUSED':
      return `connection refused by ${host}:${port}`;
    case 'ECONNRESET':
      return `connection reset by ${host}:${port}`;
    case 'EPIPE':
      return `connection closed by ${host}:${port} while sending`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return `DNS lookup failed for ${host} (${e.code})`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${host} is unreachable (${e.code})`;
    case 'ETIMEDOUT':
      return `connection to ${host}:${port} timed out`;
    default:
      return `${e.code ? `${e.code}: ` : ''}${e.message ?? String(error)}`;
  }
}

/** At most `max` characters of what the other side sent, on one line, for a failure detail. */
export function excerpt(text: string, max = 80): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(line.length > max ? `${line.slice(0, max)}…` : line);
}
