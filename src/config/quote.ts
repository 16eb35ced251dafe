import { redactUrls } from '../util/redact.js';

/** A value as shown in a message: quoted, shortened, and with URL credentials hidden. */
export function quote(s: string): string {
  const short = s.length > 80 ? `${s.slice(0, 77)}...` : s;
  return JSON.stringify(redactUrls(short));
}

/** How a found value is shown in a message; values that came from `${…}` show the reference. */
export function describeValue(value: unknown, template?: string): string {
  if (template !== undefined) return `${quote(template)} (expanded)`;
  if (typeof value === 'string') return quote(value);
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a section';
  return String(value);
}
