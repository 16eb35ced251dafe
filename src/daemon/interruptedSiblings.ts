import type { AppMachineInput } from '../../machines/app.types.js';
import type { LoadedApp } from '../config/index.js';
import type { Logger } from '../log.js';
import { checkoutOf } from './effects/updateChain.js';

/**
 * Apps sharing a checkout (`local path`) share its tree. A daemon killed during one app's update
 * leaves that app's `deploying` mark, so the app trusts no commit at boot; its siblings' records
 * name the commit they ran, but the tree under them may be half-written too. They get the same
 * distrust, so each goes through `updating` (checkout, hooks, install) before it runs again.
 */
export function distrustInterruptedCheckouts(
  inputs: readonly AppMachineInput[],
  apps: ReadonlyMap<string, LoadedApp>,
  logger: Pick<Logger, 'warn'>,
): AppMachineInput[] {
  const checkout = (name: string): string | undefined => {
    const app = apps.get(name);
    return app && checkoutOf(app);
  };
  const interrupted = new Map<string, string>();
  for (const input of inputs) {
    const path = checkout(input.name);
    if (input.restored?.deploying && path !== undefined) interrupted.set(path, input.name);
  }
  return inputs.map((input) => {
    const path = checkout(input.name);
    const by = path === undefined ? undefined : interrupted.get(path);
    const restored = input.restored;
    if (by === undefined || !restored || restored.deploying || restored.currentCommit === null) return input;
    logger.warn(`the checkout it shares with ${by} was left mid-update: the app is deployed again before it runs`, { event: 'state', app: input.name });
    // The mark is what makes a boot trust no commit (initialAppContext); the commit is the one recorded.
    return { ...input, restored: { ...restored, deploying: restored.currentCommit } };
  });
}
