/**
 * One update per app at a time. An update the chart has left (STOP, a config change) is aborted,
 * but what it runs ends in its own time: a `git checkout` cannot be interrupted, a hook that
 * ignores SIGTERM lives until it is killed. A new update of the app, and the start of its
 * process, wait until the previous update has settled, so an old checkout never lands on top of
 * a newer one, and no app runs on a tree an old update is still writing.
 *
 * Kept by the effects, across the app's actors (a config change replaces the actor, not this).
 * With no update under way nothing waits: the start of an app, a crash restart, gains no step.
 */
export class UpdateChain {
  private readonly tails = new Map<string, Promise<void>>();

  /** Run `update` once every earlier update of `app` has settled (at once when none is under way). */
  run<T>(app: string, update: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(app);
    const result = previous ? previous.then(update) : update();
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(app, tail);
    void tail.then(() => {
      if (this.tails.get(app) === tail) this.tails.delete(app);
    });
    return result;
  }

  /** Settles once every update of `app` under way has; undefined when there is none. */
  settled(app: string): Promise<void> | undefined {
    return this.tails.get(app);
  }
}
