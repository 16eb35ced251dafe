/** Calls `onLine` for every line of a text stream, the last one too if it has no newline. */
export function eachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    for (const part of parts) onLine(part);
  });
  stream.on('end', () => {
    if (rest) onLine(rest);
    rest = '';
  });
}

/** A daemon's JSON log line as an object, or `{ raw }` for a line that is not a JSON object. */
export function parseLogLine(line: string): Record<string, unknown> & { raw?: string } {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // not JSON: kept raw
  }
  return { raw: line };
}
