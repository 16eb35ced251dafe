import { fromPromise } from 'xstate';
import type { UpdateCheckoutInput } from '../../../machines/app.types.js';
import { resolveAppPaths } from '../../config/index.js';
import { checkoutCommit } from '../../git/index.js';
import { gitOptionsOf } from '../appSpec.js';
import { CleanCheckMemo } from './cleanCheckMemo.js';
import { commandRunner } from './commandRunner.js';
import type { EffectsHost } from './host.js';
import { PlacedFiles } from './placedFiles.js';
import { checkoutOf, UpdateChain } from './updateChain.js';

/**
 * Everything between the old version's stop and the new one's start: pre-pull hooks, the exact
 * checkout, post-pull hooks, the install step, then the files (and `reload` if any changed). Any
 * failure fails the update; the chart goes back to the last good commit. STOP or SHUTDOWN abort
 * it, with every command's process tree, and no step starts after that. One update per app runs
 * at a time (UpdateChain): a new one waits until an aborted one has settled.
 */
export function updateCheckoutActor(
  host: EffectsHost,
  cleanChecks = new CleanCheckMemo(),
  updates = new UpdateChain(),
  files = new PlacedFiles(),
) {
  return fromPromise<void, UpdateCheckoutInput>(({ input, signal }) =>
    updates.run(checkoutOf(host.app(input.app)), () => updateCheckout(host, cleanChecks, files, input, signal), input.app),
  );
}

async function updateCheckout(
  host: EffectsHost,
  cleanChecks: CleanCheckMemo,
  files: PlacedFiles,
  input: UpdateCheckoutInput,
  signal: AbortSignal,
): Promise<void> {
  // Aborted while an earlier update of the app was settling: nothing to do.
  signal.throwIfAborted();
  const app = host.app(input.app);
  const { config } = app;
  const opts = gitOptionsOf(app);
  const run = commandRunner(host, app, input.commit, signal);
  // Durable first: the state on disk says "no usable checkout" before anything touches the tree.
  await host.updateStarting(input.app, signal);
  const checkedClean = cleanChecks.take(input.app, opts.localPath, input.commit) && config.scripts['pre-pull'].length === 0;
  for (const command of config.scripts['pre-pull']) await run(command, config.scripts.timeout);
  signal.throwIfAborted();
  // Not abortable (src/git): an aborted update still waits for it, and the next one waits for this.
  await checkoutCommit(opts, input.commit, { discardLocalChanges: config.repository['discard local changes'], checkedClean });
  for (const command of config.scripts['post-pull']) await run(command, config.scripts.timeout);
  const application = config.application;
  if (application?.install) {
    await run(application.install, application['install timeout'], resolveAppPaths(app).cwd ?? opts.localPath);
  }
  signal.throwIfAborted();
  await files.place(host, app, input.commit, run);
}
