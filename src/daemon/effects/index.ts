import { appProcessActor } from './appProcess.js';
import { CleanCheckMemo } from './cleanCheckMemo.js';
import { fetchRemoteActor } from './fetchRemote.js';
import { healthCheckActor } from './healthCheck.js';
import type { EffectsHost } from './host.js';
import { updateCheckoutActor } from './updateCheckout.js';
import { PlacedFiles } from './placedFiles.js';
import { UpdateChain } from './updateChain.js';

export type { EffectsHost, ProcessRole, RecordedProcess } from './host.js';

/** The app chart's actors, implemented with real git, processes, files and sockets. */
export function appEffects(host: EffectsHost) {
  const cleanChecks = new CleanCheckMemo();
  // One for all the actors of the daemon: a config change replaces an app's actor, not its update.
  const updates = new UpdateChain();
  const files = new PlacedFiles();
  return {
    fetchRemote: fetchRemoteActor(host, cleanChecks, { files, updates }),
    updateCheckout: updateCheckoutActor(host, cleanChecks, updates, files),
    appProcess: appProcessActor(host, updates),
    healthCheck: healthCheckActor(host),
  };
}
