import { basename } from 'node:path';
import { redactUrls } from '../util/redact.js';
import type { ConfigError } from './types.js';

/**
 * One line for an operator: `web.ini: [repository] local path: required`. The file is shown by
 * its base name unless `shownAs` gives another spelling (the CLI passes the path as typed).
 */
export function formatConfigError(e: ConfigError, shownAs?: string): string {
  const file = shownAs ?? basename(e.file);
  const parts = [file, e.path, e.message].filter((p) => p !== '');
  return redactUrls(parts.join(': '));
}
