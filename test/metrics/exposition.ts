// A strict reader of the Prometheus text exposition format (0.0.4), for the metrics tests.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** `# TYPE` of each metric family. */
  types: Map<string, string>;
  help: Map<string, string>;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\["\\\\n])*"`;
// Prometheus reads values with Go's ParseFloat, which takes NaN and Inf in any case (prom-client writes `Nan`).
const VALUE = '(?:[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|[+-]?[iI][nN][fF]|[nN][aA][nN])';
const SAMPLE_LINE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,(?:${LABEL}))*,?)?\\})? (${VALUE})(?: -?\\d+)?$`);
const HELP_LINE = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE_LINE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const ONE_LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"/g;

function unescape(value: string): string {
  return value.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

function numberOf(text: string): number {
  if (/^nan$/i.test(text)) return Number.NaN;
  if (/^[+-]?inf$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  return Number(text);
}

/** Parses `text`; throws naming the first line that is neither empty, a comment nor `name{labels} value`. */
export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const [index, line] of lines.entries()) {
    const where = `line ${index + 1}: ${JSON.stringify(line)}`;
    // The format ignores empty lines (prom-client puts one between metric families).
    if (line === '') continue;
    const helpMatch = HELP_LINE.exec(line);
    const typeMatch = TYPE_LINE.exec(line);
    if (helpMatch) {
      help.set(helpMatch[1]!, helpMatch[2]!);
    } else if (typeMatch) {
      if (types.has(typeMatch[1]!)) throw new Error(`${where}: second TYPE for ${typeMatch[1]}`);
      types.set(typeMatch[1]!, typeMatch[2]!);
    } else if (/^#\s*(HELP|TYPE)\b/.test(line)) {
      throw new Error(`${where}: malformed ${line.includes('HELP') ? 'HELP' : 'TYPE'} line`);
    } else if (line.startsWith('#')) {
      // Any other comment is allowed.
    } else {
      const match = SAMPLE_LINE.exec(line);
      if (!match) throw new Error(`${where}: not a sample line`);
      const labels: Record<string, string> = {};
      for (const [, key, value] of (match[2] ?? '').matchAll(ONE_LABEL)) labels[key!] = unescape(value!);
      samples.push({ name: match[1]!, labels, value: numberOf(match[3]!) });
    }
  }
  return { samples, types, help };
}

/** The samples of `name` whose labels include `labels`. */
export function samplesOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): Sample[] {
  return exposition.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
  );
}

/** The one value of `name{labels}`, or undefined when there is no such series. */
export function valueOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samplesOf(exposition, name, labels);
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} series`);
  return found[0]?.value;
}
