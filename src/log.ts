import winston from 'winston';
import { redact } from './util/redact.js';

// The daemon's single logging entry point. Redaction is a winston format inside the pipeline, not
// a helper callers must remember: whatever reaches a transport has been through `redact`.

import { LOG_LEVELS, shortCommit } from './logNames.js';

export { LOG_LEVELS, shortCommit };

export type Logger = winston.Logger;
export type LogFormat = 'json' | 'pretty' | 'auto';


export interface LoggerOptions {
  /** One of LOG_LEVELS; default `info`. */
  level?: string;
  /** `auto` (default): JSON when the stream is not a TTY, pretty otherwise. */
  format?: LogFormat;
  /** Where lines go; default process.stdout. */
  stream?: NodeJS.WritableStream;
  /** Colour in pretty mode; default: the stream is a TTY and NO_COLOR is unset. */
  colors?: boolean;
  /** Literal values never to print (env secrets); more can be added with addLogSecrets. */
  secrets?: Iterable<string>;
}

// winston's info objects keep the final line under this registered symbol (triple-beam's MESSAGE).
const MESSAGE = Symbol.for('message');
const SECRETS = Symbol('huddle.logSecrets');

// Fields whose name says they hold a credential are blanked whatever their value looks like.
const SECRET_FIELD = /(passw(or)?d|secret|token|credential|authorization|api[-_]?key)/i;
const MAX_DEPTH = 6;

type Fields = Record<string, unknown>;

/** `createLogger` with huddle's formats: one line per event, redacted, JSON or pretty. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new Error(`unknown log level "${level}" (expected one of ${LOG_LEVELS.join(', ')})`);
  }
  const stream = options.stream ?? process.stdout;
  const isTty = (stream as { isTTY?: boolean }).isTTY === true;
  const mode = options.format ?? 'auto';
  const pretty = mode === 'pretty' || (mode === 'auto' && isTty);
  const colors = options.colors ?? (isTty && !process.env.NO_COLOR);
  const secrets = new Set<string>(options.secrets ?? []);

  const logger = winston.createLogger({
    level,
    levels: winston.config.npm.levels,
    format: winston.format.combine(
      winston.format.errors({ stack: true }),
      redactFormat(secrets),
      pretty ? prettyLine(colors) : jsonLine(),
    ),
    transports: [new winston.transports.Stream({ stream })],
  });
  Object.defineProperty(logger, SECRETS, { value: secrets });
  return logger;
}

/** Add literal values (an app's env secrets) that must never appear in this logger's output. */
export function addLogSecrets(logger: Logger, values: Iterable<string>): void {
  // Child loggers are prototype-linked to their root, so this finds the root's set.
  const set = (logger as unknown as { [SECRETS]?: Set<string> })[SECRETS];
  if (!set) throw new Error('addLogSecrets: logger was not made by createLogger');
  for (const value of values) set.add(value);
}

/** First 7 characters of a commit id, as git shows them. */
/** A child logger whose every line carries the app name and its short commit. */
export function appLogger(logger: Logger, meta: { app: string; commit?: string | null }): Logger {
  const fields: Fields = { app: meta.app };
  const commit = shortCommit(meta.commit);
  if (commit) fields.commit = commit;
  return logger.child(fields);
}

function redactFormat(secrets: Set<string>): winston.Logform.Format {
  return {
    transform(info) {
      const clean = (value: unknown, key: string, depth: number, seen: WeakSet<object>): unknown => {
        if (typeof value === 'string') return SECRET_FIELD.test(key) && value ? '***' : redact(value, secrets);
        if (typeof value === 'bigint') return value.toString();
        if (value instanceof Error) return redact(value.message, secrets);
        if (value instanceof Date) return value.toISOString();
        if (typeof value !== 'object' || value === null) return value;
        if (seen.has(value)) return '[Circular]';
        if (depth >= MAX_DEPTH) return '[Object]';
        seen.add(value);
        // Copies, never edits: the caller still owns the objects it logged.
        const out = Array.isArray(value)
          ? value.map((item) => clean(item, key, depth + 1, seen))
          : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clean(v, k, depth + 1, seen)]));
        seen.delete(value);
        return out;
      };
      const seen = new WeakSet<object>();
      for (const key of Object.keys(info)) {
        if (key === 'level') continue;
        info[key] = clean(info[key], key, 0, seen);
      }
      return info;
    },
  };
}

/** The fields of a line other than the ones every line has, in insertion order. */
function extraFields(info: winston.Logform.TransformableInfo): Fields {
  const { level: _l, message: _m, app: _a, commit: _c, timestamp: _t, ...rest } = info;
  return rest;
}

function jsonLine(): winston.Logform.Format {
  return {
    transform(info) {
      const line: Fields = { time: new Date().toISOString(), level: info.level };
      if (info.app !== undefined) line.app = info.app;
      if (info.commit !== undefined) line.commit = info.commit;
      line.message = info.message;
      Object.assign(line, extraFields(info));
      info[MESSAGE] = JSON.stringify(line);
      return info;
    },
  };
}

const ANSI = { reset: '\x1b[0m', dim: '\x1b[2m', cyan: '\x1b[36m', red: '\x1b[31m', yellow: '\x1b[33m', green: '\x1b[32m', magenta: '\x1b[35m' };
const LEVEL_COLOUR: Record<string, string> = { error: ANSI.red, warn: ANSI.yellow, info: ANSI.green, http: ANSI.magenta };

function prettyLine(colors: boolean): winston.Logform.Format {
  const paint = (colour: string, text: string): string => (colors ? `${colour}${text}${ANSI.reset}` : text);
  return {
    transform(info) {
      const parts = [paint(ANSI.dim, localTime(new Date())), paint(LEVEL_COLOUR[info.level] ?? ANSI.cyan, info.level.padEnd(5))];
      if (info.app !== undefined) {
        parts.push(paint(ANSI.cyan, info.commit !== undefined ? `${String(info.app)}@${String(info.commit)}` : String(info.app)));
      }
      parts.push(typeof info.message === 'string' ? info.message : JSON.stringify(info.message));
      const { stack, ...fields } = extraFields(info);
      for (const [key, value] of Object.entries(fields)) {
        if (value === undefined) continue;
        parts.push(`${paint(ANSI.dim, `${key}=`)}${fieldText(value)}`);
      }
      let line = parts.join(' ');
      // Only for humans at a terminal: the stack of an unexpected error, after its line.
      if (typeof stack === 'string') line += `\n${paint(ANSI.dim, stack)}`;
      info[MESSAGE] = line;
      return info;
    },
  };
}

function fieldText(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

function localTime(date: Date): string {
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}
