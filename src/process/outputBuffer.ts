/**
 * Keeps the last `maxBytes` of a command's output: enough for an error report and for the
 * caller's log, bounded however much an install step prints.
 */
export class OutputBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  private dropped = 0;

  constructor(private readonly maxBytes = 1024 * 1024) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.maxBytes && this.chunks.length > 1) {
      const first = this.chunks.shift();
      if (first === undefined) break;
      this.size -= first.length;
      this.dropped += first.length;
    }
  }

  text(): string {
    let buf = Buffer.concat(this.chunks);
    let dropped = this.dropped;
    if (buf.length > this.maxBytes) {
      dropped += buf.length - this.maxBytes;
      buf = buf.subarray(buf.length - this.maxBytes);
    }
    const body = buf.toString('utf8');
    return dropped > 0 ? `[… ${dropped} earlier bytes not kept]\n${body}` : body;
  }
}

/** The last `lines` non-empty lines of `text`. */
export function lastLines(text: string, lines = 20): string {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter(Boolean)
    .slice(-lines)
    .join('\n');
}
