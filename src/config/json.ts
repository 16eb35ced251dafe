// JSON.parse with errors an operator can act on: a line and column instead of a byte offset.

export type JsonParse = { ok: true; value: unknown } | { ok: false; where: string; message: string };

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split(/\r\n|\n|\r/).length;
  const column = offset - Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r'));
  return `line ${line}, column ${column}`;
}

function failsBefore(text: string, length: number): boolean {
  try {
    JSON.parse(text.slice(0, length));
    return false;
  } catch (error) {
    const message = (error as Error).message;
    if (/Unexpected end of JSON input/.test(message)) return false;
    // A truncated prefix fails at its own end ("Expected ',' ... at position <length>").
    const position = /at position (\d+)/.exec(message);
    return position === null || Number(position[1]) < length;
  }
}

/**
 * Where JSON.parse stopped, for the errors whose message has no position ("Unexpected token").
 * A syntax error at offset k fails every prefix longer than k the same way, and shorter prefixes
 * only end too early, so the shortest failing prefix ends at the error.
 */
function errorOffset(text: string): number {
  let low = 1;
  let high = text.length;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if (failsBefore(text, mid)) high = mid;
    else low = mid + 1;
  }
  return low - 1;
}

export function parseJson(source: string): JsonParse {
  const text = source.replace(/^\uFEFF/, '');
  if (text.trim() === '') return { ok: false, where: '', message: 'the file is empty (expected a JSON object)' };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const raw = error instanceof Error ? error.message : String(error);
    if (/Unexpected end of JSON input/.test(raw)) {
      return { ok: false, where: lineAndColumn(text, text.trimEnd().length), message: 'invalid JSON: the text ends early (a missing "}" or "]"?)' };
    }
    if (/after JSON at position/.test(raw)) {
      const at = Number(/position (\d+)/.exec(raw)?.[1] ?? 0);
      return { ok: false, where: lineAndColumn(text, at), message: 'invalid JSON: unexpected text after the end of the JSON object' };
    }
    const position = /in JSON at position (\d+)/.exec(raw);
    const offset = position ? Number(position[1]) : errorOffset(text);
    // V8 quotes a snippet of the file (`, "…" is not valid JSON`); the location says enough.
    const message = raw
      .replace(/\s*in JSON at position \d+.*$/s, '')
      .replace(/,\s*(?:\.\.\.)?".*"(?:\.\.\.)?\s*is not valid JSON$/s, '');
    return { ok: false, where: lineAndColumn(text, offset), message: `invalid JSON: ${message}` };
  }
}
