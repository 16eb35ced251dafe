import { describe, expect, it } from 'vitest';
import { UpdateChain } from '../../src/daemon/effects/updateChain.js';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('UpdateChain', () => {
  it('runs an update at once when none is under way, and has nothing to wait for afterwards', async () => {
    const chain = new UpdateChain();
    expect(chain.settled('web')).toBeUndefined();
    let ran = false;
    const result = chain.run('web', async () => {
      ran = true;
      return 7;
    });
    expect(ran).toBe(true); // synchronously: an update gains no step when it waits for nothing
    expect(await result).toBe(7);
    await Promise.resolve();
    expect(chain.settled('web')).toBeUndefined();
  });

  it("starts an app's next update only once the previous one has settled, failed or not; other apps do not wait", async () => {
    const chain = new UpdateChain();
    const first = deferred();
    const order: string[] = [];
    const one = chain.run('web', async () => {
      order.push('first begins');
      await first.promise;
      order.push('first ends');
    });
    const two = chain.run('web', async () => {
      order.push('second begins');
    });
    const other = chain.run('api', async () => {
      order.push('api begins');
    });
    await other;
    expect(order).toEqual(['first begins', 'api begins']);
    const settled = chain.settled('web');
    expect(settled).toBeDefined();
    first.reject(new Error('aborted'));
    await expect(one).rejects.toThrow('aborted');
    await two;
    await settled;
    expect(order).toEqual(['first begins', 'api begins', 'second begins']);
  });
});
