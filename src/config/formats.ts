import { isIP } from 'node:net';
import { isAbsolute, normalize } from 'node:path';

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

// A subset of git-check-ref-format's rules: enough to refuse what is surely not a tag or commit
// id, and above all anything git would read as an option (a leading "-").
const BAD_REF = /[\s~^:?*[\\]|\.\.|@\{|^[-/.]|[/.]$|\.lock$|\/\//;

function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i += 1) {
    const code = s.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** A plausible tag, commit id or ref name to hand to git. */
export function isGitRef(s: string): boolean {
  return s !== '' && s !== '@' && !BAD_REF.test(s) && !hasControlCharacter(s);
}

/** Largest user or group id (2^32 - 2: -1 as unsigned means "no change" to chown). */
export const MAX_ACCOUNT_ID = 4_294_967_294;

const ACCOUNT_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/;
const ACCOUNT_ID = /^\s*\d{1,10}\s*$/;

/** A numeric user or group id written as text (`"1000"`), which the loader turns into a number. */
export function isAccountIdText(s: string): boolean {
  return ACCOUNT_ID.test(s) && Number(s) <= MAX_ACCOUNT_ID;
}

/** A user or group: a name as useradd accepts it, or a numeric id. */
export function isAccount(s: string): boolean {
  return ACCOUNT_NAME.test(s) || isAccountIdText(s);
}

const FILE_MODE = /^\s*[0-7]{3,4}\s*$/;

/** `0644`, `644`, `1777`: permission bits in octal. */
export function isFileMode(s: string): boolean {
  return FILE_MODE.test(s);
}

/** The canonical spelling of a file mode: four octal digits (`644` is `0644`). */
export function formatFileMode(s: string): string {
  return s.trim().padStart(4, '0');
}

/** A relative path that stays inside the directory it is relative to (no `..` part). */
export function isInsidePath(s: string): boolean {
  if (s.trim() === '' || s.includes('\0') || isAbsolute(s) || /^[A-Za-z]:/.test(s)) return false;
  if (s.split(/[\\/]/).includes('..')) return false;
  return normalize(s) !== '.';
}

const PERCENTAGE = /^\s*(\d{1,3})\s*%\s*$/;

/** `10%`, ` 5 % `: a whole percentage from 1 to 100. */
export function isPercentage(s: string): boolean {
  const m = PERCENTAGE.exec(s);
  return m !== null && Number(m[1]) >= 1 && Number(m[1]) <= 100;
}

/** The canonical spelling of a percentage: digits then `%`, no blanks or leading zeros (`010 %` is `10%`). */
export function formatPercentage(s: string): string {
  return `${Number(PERCENTAGE.exec(s)?.[1] ?? Number.NaN)}%`;
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
  'git-ref': {
    check: isGitRef,
    message: 'must be a tag or a commit id: no spaces, not starting with "-", "/" or ".", '
      + 'and none of ~ ^ : ? * [ \\ or ".."',
  },
  account: {
    check: isAccount,
    message: `must be a user or group name (letters, digits, "_", "." and "-", starting with a letter or "_") or a numeric id up to ${MAX_ACCOUNT_ID}`,
  },
  // Only text reaches a format check: whole numbers are checked by the schema's minimum and maximum.
  concurrency: {
    check: isPercentage,
    message: 'must be a whole number of nodes (at least 1) or a percentage from 1% to 100%, such as 3 or "10%"',
  },
  'file-mode': { check: isFileMode, message: 'must be an octal file mode such as "0644" or "644"' },
  'inside-path': {
    check: isInsidePath,
    message: 'must be a relative path inside the checkout: not absolute and without ".." parts',
  },
};
