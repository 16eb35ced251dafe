import { dirname, resolve } from 'node:path';
import type { LoadedApp } from '../../config/index.js';

/** The key of an app's turns: its checkout, which apps may share (as the original huddle allowed). */
export function checkoutOf(app: LoadedApp): string {
  return resolve(dirname(app.file), app.config.repository['local path']);
}

/**
 * One update per checkout at a time: an app's, and those of apps sharing it. An update the chart
 * has left (STOP, a config change) is aborted, but what it runs ends in its own time: a `git
 * checkout` cannot be interrupted, a hook that ignores SIGTERM lives until it is killed. A new
 * update in the checkout, and the start of a process on it, wait until the previous update has
 * settled, so an old checkout never lands on top of a newer one, and no app starts on a tree an
 * update is still writing.
 *
 * Kept by the effects, across the app's actors (a config change replaces the actor, not this).
 * With no update under way nothing waits: the start of an app, a crash restart, gains no step.
 */
export class UpdateChain {
  private readonly tails = new Map<string, Promise<void>>();

  /** Run `update` once every earlier update of `checkout` has settled (at once when none is under way). */
  run<T>(checkout: string, update: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(checkout);
    const result = previous ? previous.then(update) : update();
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(checkout, tail);
    void tail.then(() => {
      if (this.tails.get(checkout) === tail) this.tails.delete(checkout);
    });
    return result;
  }

  /** Settles once every update of `checkout` under way has; undefined when there is none. */
  settled(checkout: string): Promise<void> | undefined {
    return this.tails.get(checkout);
  }
}
