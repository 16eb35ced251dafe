import { isIP } from 'node:net';

// String formats of the config schema. Each pairs a check with the sentence an operator reads
// when the check fails.

export interface StatusRange { min: number; max: number }

const STATUS = /^\s*(\d{3})\s*(?:-\s*(\d{3})\s*)?$/;

/**
 * Parses a status code or inclusive range: `200`, `200-399`. Throws on anything else; configs are
 * checked with the same rule when they load, so a loaded config never makes it throw.
 */
export function parseStatusRange(s: string): StatusRange {
  const m = STATUS.exec(s);
  if (!m) throw new Error(`not a status code or range: ${JSON.stringify(s)}`);
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : Number(m[2]);
  if (min < 100 || max > 599 || min > max) throw new Error(`not a status code or range: ${JSON.stringify(s)}`);
  return { min, max };
}

/** The canonical spelling of a status range (`200`, `200-399`). */
export function formatStatusRange(r: StatusRange): string {
  return r.min === r.max ? String(r.min) : `${r.min}-${r.max}`;
}

function isStatusRange(s: string): boolean {
  try {
    parseStatusRange(s);
    return true;
  } catch {
    return false;
  }
}

export function isHttpUrl(s: string): boolean {
  if (/\s/.test(s)) return false;
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

const LABEL = '[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?';
const HOSTNAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*\\.?$`);

/** A host name, an IPv4 address, or an IPv6 address (with or without brackets). */
export function isHost(s: string): boolean {
  const bare = s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s;
  return isIP(bare) !== 0 || HOSTNAME.test(s);
}

const APP_NAME = /^[\p{L}\p{N}_](?:[\p{L}\p{N} ._-]{0,98}[\p{L}\p{N}_.-])?$/u;

export function isAppName(s: string): boolean {
  return APP_NAME.test(s);
}

export const FORMATS: Record<string, { check: (s: string) => boolean; message: string }> = {
  'http-url': { check: isHttpUrl, message: 'must be an http:// or https:// URL with a host' },
  'status-range': {
    check: isStatusRange,
    message: 'must be a status code or an inclusive range of codes from 100 to 599, such as 200 or 200-399',
  },
  host: { check: isHost, message: 'must be a host name or an IP address' },
  'app-name': {
    check: isAppName,
    message: 'must be an app name: letters, digits, spaces, ".", "_" and "-" (at most 100), '
      + 'starting with a letter, digit or "_"',
  },
};
