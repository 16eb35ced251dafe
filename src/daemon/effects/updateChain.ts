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
 * update in the checkout (and a clone of it, a placement of files) waits until the previous one has
 * settled, so an old checkout never lands on top of a newer one; an app's start waits for its own
 * updates, so it never starts on a tree its aborted update is still writing.
 *
 * Kept by the effects, across the app's actors (a config change replaces the actor, not this).
 * With no update under way nothing waits: the start of an app, a crash restart, gains no step.
 */
export class UpdateChain {
  private readonly tails = new Map<string, Promise<void>>();

  /**
   * Run `update` once every earlier update of `checkout` has settled (at once when none is under
   * way). With `app`, `settled(app)` waits for it too: an app's start waits for its own updates,
   * not for those of other apps sharing the checkout (their wait would count against its start).
   */
  run<T>(checkout: string, update: () => Promise<T>, app?: string): Promise<T> {
    const previous = this.tails.get(checkout);
    const result = previous ? previous.then(update) : update();
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.hold(checkout, tail);
    if (app !== undefined) this.hold(app, Promise.all([this.tails.get(app), tail]).then(() => undefined));
    return result;
  }

  private hold(key: string, tail: Promise<void>): void {
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
  }

  /** Settles once every update under way of `key` (a checkout, or an app) has; undefined when there is none. */
  settled(key: string): Promise<void> | undefined {
    return this.tails.get(key);
  }
}
