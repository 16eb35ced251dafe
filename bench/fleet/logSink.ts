import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log.js';

/** A `rollout: slot taken` line: the slot limit that node computed from the live nodes it saw. */
export interface SlotTaken {
  node: string;
  limit: number;
  nodes: number;
}

/**
 * The fleet links' log, read back as JSON: what the gates decided (slot limits) is kept for the
 * report, warnings and errors too (the first few are echoed to stderr as they come).
 */
export class LogSink {
  readonly logger: Logger;
  readonly slotsTaken: SlotTaken[] = [];
  readonly problems: string[] = [];
  private echoed = 0;

  constructor(private readonly echoLimit = 20) {
    const stream = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        for (const line of chunk.toString().split('\n')) if (line.trim()) this.take(line);
        done();
      },
    });
    this.logger = createLogger({ level: 'info', format: 'json', stream });
  }

  /** The logger one node's fleet link writes to: its lines carry the node id. */
  forNode(node: string): Logger {
    return this.logger.child({ node });
  }

  private take(line: string): void {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.problem(line);
      return;
    }
    if (entry.slot === 'taken' && typeof entry.limit === 'number' && typeof entry.nodes === 'number') {
      this.slotsTaken.push({ node: String(entry.node), limit: entry.limit, nodes: entry.nodes });
    }
    if (entry.level === 'warn' || entry.level === 'error') {
      this.problem(`${String(entry.level)} ${String(entry.node ?? '')}: ${String(entry.message)}`);
    }
  }

  private problem(text: string): void {
    this.problems.push(text);
    if (this.echoed++ < this.echoLimit) console.error(`  log: ${text}`);
  }
}
