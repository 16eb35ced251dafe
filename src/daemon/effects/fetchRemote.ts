import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { fromPromise } from 'xstate';
import type { FetchRemoteInput, FetchRemoteOutput } from '../../../machines/app.types.js';
import type { LoadedApp } from '../../config/index.js';
import { resolveAppPaths } from '../../config/index.js';
import {
  assertCheckoutFits,
  clearStaleLocks,
  CommitNotTrustedError,
  ensureClone,
  fetchBranchHead,
  fetchCommit,
  gitProbe,
  resolveCommit,
  verifyCommit,
  type GitOptions,
} from '../../git/index.js';
import { appLogger } from '../../log.js';
import { gitOptionsOf } from '../appSpec.js';
import { CleanCheckMemo } from './cleanCheckMemo.js';
import { commandRunner } from './commandRunner.js';
import type { EffectsHost } from './host.js';
import { PlacedFiles } from './placedFiles.js';
import { checkoutOf, UpdateChain } from './updateChain.js';

// Checked before the chart stops the app for an update: a checkout git would refuse to update (a
// lock another git holds, local edits, untracked files the commit adds) is refused while the old
// version keeps serving, rather than found out once the app is down. A stale lock (see
// clearStaleLocks) is removed: a stat each, no git process. With `discard local
// changes`, the checkout overwrites edits and untracked files alike (--force): nothing to refuse.
async function refuseUnfitCheckout(
  host: EffectsHost,
  app: LoadedApp,
  opts: GitOptions,
  commit: string,
  cleanChecks: CleanCheckMemo,
  fetched?: Promise<unknown>,
): Promise<void> {
  for (const file of await clearStaleLocks(opts)) {
    appLogger(host.logger, { app: app.config.name }).warn(`removed a stale git lock: ${file}`, { event: 'git' });
  }
  if (app.config.repository['discard local changes']) return;
  await assertCheckoutFits(opts, commit, fetched);
  cleanChecks.note(app.config.name, opts.localPath, commit);
}

/** With `repository.verify`, only a commit signed by a trusted key goes further (CommitNotTrustedError). */
async function verifyIfConfigured(app: LoadedApp, opts: GitOptions, commit: string): Promise<void> {
  const verify = resolveAppPaths(app).verify;
  if (!verify) return;
  await verifyCommit(opts, commit, {
    ...(verify.allowedSigners === undefined ? {} : { allowedSignersFile: verify.allowedSigners }),
    ...(verify.gpgKeyring === undefined ? {} : { gpgHome: verify.gpgKeyring }),
  });
}

/**
 * The commit this app should run: an operator's explicit target, the fleet's pin, the pinned
 * `repository.ref`, or the branch head. Objects are fetched only for a commit not seen before; a rejection leaves the
 * running version alone (the chart retries at the next poll).
 */
export function fetchRemoteActor(
  host: EffectsHost,
  cleanChecks = new CleanCheckMemo(),
  extra = { files: new PlacedFiles(), updates: new UpdateChain() },
) {
  return fromPromise<FetchRemoteOutput, FetchRemoteInput>(({ input, signal }) =>
    host.metrics.timePoll(input.app, fetchRemote(host, input, cleanChecks, extra, signal)),
  );
}

async function fetchRemote(
  host: EffectsHost,
  input: FetchRemoteInput,
  cleanChecks: CleanCheckMemo,
  { files, updates }: { files: PlacedFiles; updates: UpdateChain },
  signal: AbortSignal,
): Promise<FetchRemoteOutput> {
  const app = host.app(input.app);
  const checkout = checkoutOf(app);
  // A config edit that keeps the commit (or one made while the daemon was down) changes what its
  // files hold, and only an update placed them: placed here, from the checkout as it is, in the
  // checkout's turn, before the start this fetch may lead to. Whether a new commit will replace
  // it is the chart's call; if one does, its update places them again from its own tree. So a
  // failure is reported, not fatal: an entry may need that new tree.
  let filesProblem: string | undefined;
  const current = input.currentCommit;
  if (current !== null && files.stale(app) && existsSync(checkout)) {
    await updates.run(checkout, () => files.place(host, app, current, commandRunner(host, app, current, signal))).catch((error: unknown) => {
      filesProblem = (error as Error).message;
    });
  }
  const found = await fetchAndDecide(host, app, input, cleanChecks, updates);
  return filesProblem === undefined ? found : { ...found, filesProblem };
}

async function fetchAndDecide(
  host: EffectsHost,
  app: LoadedApp,
  input: FetchRemoteInput,
  cleanChecks: CleanCheckMemo,
  updates: UpdateChain,
): Promise<FetchRemoteOutput> {
  const opts = gitOptionsOf(app);
  // Verifying the checkout costs two git processes: worth it when there may be none yet, not on
  // every poll of a running app (a checkout broken meanwhile fails the update instead). In the
  // checkout's turn: apps sharing it must not clone it side by side.
  if (input.currentCommit === null || !existsSync(opts.localPath)) {
    const { cloned } = await updates.run(checkoutOf(app), () => ensureClone(opts));
    if (cloned) {
      appLogger(host.logger, { app: input.app }).info('cloned', { event: 'git', into: opts.localPath });
      // A clone checks out the branch tip, not the commit the state recorded: nothing on disk may
      // pass for it, so the commit to run is decided (and verified) afresh, and the chart sends
      // it through `updating` (until then the chart trusts no commit in it). A tip that is not
      // trusted does not stay on disk; after any other failure the clone stays for the next poll.
      try {
        return { ...(await decide(host, app, opts, { ...input, currentCommit: null }, cleanChecks)), cloned: true };
      } catch (error) {
        if (error instanceof CommitNotTrustedError) await rm(opts.localPath, { recursive: true, force: true });
        throw error;
      }
    }
  }
  return decide(host, app, opts, input, cleanChecks);
}

async function decide(
  host: EffectsHost,
  app: LoadedApp,
  opts: GitOptions,
  input: FetchRemoteInput,
  cleanChecks: CleanCheckMemo,
): Promise<FetchRemoteOutput> {
  const ref = input.target ?? host.pinnedRef?.(input.app) ?? app.config.repository.ref;
  if (ref !== undefined) {
    const commit = await resolveCommit(opts, ref);
    await fetchCommit(opts, commit);
    if (commit !== input.currentCommit) {
      await verifyIfConfigured(app, opts, commit);
      await refuseUnfitCheckout(host, app, opts, commit, cleanChecks);
    }
    return { commit };
  }
  const commit = await gitProbe(opts);
  if (commit === input.currentCommit) return { commit };
  // The fetch writes only objects and a remote-tracking ref, the look for local edits reads only
  // the working tree: side by side, the look costs an update nothing. Errors keep their order.
  // (The look for untracked files the commit adds waits for the fetch, and runs only when there are any.)
  const fetching = fetchBranchHead(opts, commit);
  const [fetched, clean] = await Promise.allSettled([fetching, refuseUnfitCheckout(host, app, opts, commit, cleanChecks, fetching)]);
  if (fetched.status === 'rejected') throw fetched.reason;
  await verifyIfConfigured(app, opts, commit);
  if (clean.status === 'rejected') throw clean.reason;
  return { commit };
}
