import type { RunAs } from '../process/account.js';
/** Where an app's code comes from and where its checkout lives (the config's `repository` section). */
export interface GitOptions {
  /** The git executable (`repository.executable`); `git` looks it up on PATH. */
  executable: string;
  /** The remote's URL or path (`repository.remote path`). */
  remotePath: string;
  /** The checkout (`repository.local path`). */
  localPath: string;
  /** The remote's name inside the checkout (`repository.remote`, usually `origin`). */
  remote: string;
  branch: string;
  /** Kills any git command that runs longer; defaults per operation (see DEFAULT_TIMEOUTS). */
  timeoutMs?: number;
  /** Run git as this account (`application.user`), so the checkout belongs to the app's user. */
  runAs?: RunAs;
}

// A probe or a local command that takes seconds is stuck; a clone or fetch over a slow link
// to a device may legitimately take minutes.
export const DEFAULT_TIMEOUTS = {
  local: 30_000,
  probe: 30_000,
  transfer: 300_000,
} as const;

export type TimeoutKind = keyof typeof DEFAULT_TIMEOUTS;

export function timeoutFor(opts: GitOptions, kind: TimeoutKind): number {
  return opts.timeoutMs ?? DEFAULT_TIMEOUTS[kind];
}
