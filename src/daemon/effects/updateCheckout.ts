import { dirname } from 'node:path';
import { fromPromise } from 'xstate';
import type { UpdateCheckoutInput } from '../../../machines/app.types.js';
import { resolveAppPaths, type LoadedApp } from '../../config/index.js';
import { deployFiles } from '../../files/index.js';
import { checkoutCommit } from '../../git/index.js';
import { appLogger } from '../../log.js';
import { runCommand } from '../../process/index.js';
import { gitOptionsOf } from '../appSpec.js';
import { CleanCheckMemo } from './cleanCheckMemo.js';
import { commandEnv, type EffectsHost, type RecordedProcess } from './host.js';
import { UpdateChain } from './updateChain.js';

/** `files` as deployFiles takes them: paths resolved, modes as the config normalised them. */
function fileEntries(app: LoadedApp) {
  const resolved = resolveAppPaths(app).files ?? [];
  return app.config.files.map((file, i) => ({
    ...file,
    path: resolved[i]?.path ?? file.path,
    owner: file.owner === undefined ? undefined : String(file.owner),
    group: file.group === undefined ? undefined : String(file.group),
  }));
}

/**
 * Everything between the old version's stop and the new one's start: pre-pull hooks, the exact
 * checkout, post-pull hooks, the install step, then the files (and `reload` if any changed). Any
 * failure fails the update; the chart goes back to the last good commit. STOP or SHUTDOWN abort
 * it, with every command's process tree, and no step starts after that. One update per app runs
 * at a time (UpdateChain): a new one waits until an aborted one has settled.
 */
export function updateCheckoutActor(host: EffectsHost, cleanChecks = new CleanCheckMemo(), updates = new UpdateChain()) {
  return fromPromise<void, UpdateCheckoutInput>(({ input, signal }) =>
    updates.run(input.app, () => updateCheckout(host, cleanChecks, input, signal)),
  );
}

async function updateCheckout(host: EffectsHost, cleanChecks: CleanCheckMemo, input: UpdateCheckoutInput, signal: AbortSignal): Promise<void> {
  // Aborted while an earlier update of the app was settling: nothing to do.
  signal.throwIfAborted();
  const app = host.app(input.app);
  const { config } = app;
  const opts = gitOptionsOf(app);
  // No command starts once the update is aborted (runCommand stops a running one).
  const run = (command: string, timeoutSeconds: number, cwd = opts.localPath) => {
    signal.throwIfAborted();
    let started: RecordedProcess | undefined;
    return runCommand(command, {
      cwd,
      env: { ...commandEnv(app), HUDDLE_COMMIT: input.commit },
      timeoutMs: timeoutSeconds * 1000,
      logFile: host.logFile(input.app),
      signal,
      ...(opts.runAs ? { runAs: opts.runAs } : {}),
      // Recorded for crash recovery, each hook in a record of its own (never the app's).
      onStarted: (proc) => {
        started = proc;
        host.processStarted(input.app, proc, input.commit, 'hook');
      },
    }).finally(() => {
      if (started) host.processExited(input.app, started, 'hook');
    });
  };
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
  if (config.files.length > 0) {
    const { changed } = await deployFiles(fileEntries(app), { checkoutDir: opts.localPath, configDir: dirname(app.file) });
    if (changed.length > 0) {
      appLogger(host.logger, { app: input.app, commit: input.commit }).info(`files written: ${changed.join(', ')}`, {
        event: 'files',
      });
      if (config.reload) await run(config.reload, config.scripts.timeout);
    }
  }
}
