import { resolve } from 'node:path';
import type { GitOptions } from './gitOptions.js';

/**
 * The remote as git should be given it from any working directory: a local path is made
 * absolute (against the daemon's working directory), so probe, clone and fetch — which run in
 * different directories — all mean the same repository. URLs (scheme://…) and scp-like
 * addresses (host:path) pass unchanged.
 */
export function remoteUrl(opts: GitOptions): string {
  const remote = opts.remotePath;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(remote)) return remote;
  if (/^[^/]*:/.test(remote)) return remote;
  return resolve(remote);
}
