import type { AppMachineInput } from '../../machines/app.types.js';
import type { Logger } from '../log.js';

/**
 * Apps sharing a checkout (`local path`) share its tree. A daemon killed during one app's update
 * leaves that app's `deploying` mark, so the app trusts no commit at boot; its siblings' records
 * name the commit they ran, but the tree under them may be half-written too. They get the same
 * distrust, so each goes through `updating` (checkout, hooks, install) before it runs again.
 */
export function distrustInterruptedCheckouts(
  inputs: readonly AppMachineInput[],
  checkoutOf: (app: string) => string,
  logger: Pick<Logger, 'warn'>,
): AppMachineInput[] {
  const interrupted = new Map<string, string>();
  for (const input of inputs) {
    if (input.restored?.deploying) interrupted.set(checkoutOf(input.name), input.name);
  }
  return inputs.map((input) => {
    const checkout = checkoutOf(input.name);
    const by = interrupted.get(checkout);
    const restored = input.restored;
    if (by === undefined || !restored || restored.deploying || restored.currentCommit === null) return input;
    logger.warn(`the checkout it shares with ${by} was left mid-update: the app is deployed again before it runs`, { event: 'state', app: input.name });
    // The mark is what makes a boot trust no commit (initialAppContext); the commit is the one recorded.
    return { ...input, restored: { ...restored, deploying: restored.currentCommit } };
  });
}
