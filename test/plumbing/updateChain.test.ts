import { describe, expect, it } from 'vitest';
import type { LoadedApp } from '../../src/config/index.js';
import { checkoutOf, UpdateChain } from '../../src/daemon/effects/updateChain.js';

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

  it('keys the turns by checkout: apps sharing one (written either way) wait for each other, others do not', () => {
    const app = (file: string, localPath: string) => ({ file, config: { repository: { 'local path': localPath } } }) as unknown as LoadedApp;
    const web = checkoutOf(app('/etc/huddle/web.json', '/srv/shop'));
    expect(checkoutOf(app('/etc/huddle/worker.ini', '../../srv/./shop'))).toBe(web);
    expect(checkoutOf(app('/etc/huddle/other.json', '/srv/other'))).not.toBe(web);
    const chain = new UpdateChain();
    const first = deferred();
    void chain.run(web, () => first.promise);
    expect(chain.settled(checkoutOf(app('/etc/huddle/worker.ini', '/srv/shop')))).toBeDefined();
    expect(chain.settled(checkoutOf(app('/etc/huddle/other.json', '/srv/other')))).toBeUndefined();
    first.resolve();
  });

  it("an app's start waits for its own updates, not for those of another app sharing its checkout", async () => {
    const chain = new UpdateChain();
    const webUpdate = deferred();
    const done = chain.run('/srv/shop', () => webUpdate.promise, 'web');
    expect(chain.settled('web')).toBeDefined();
    expect(chain.settled('worker')).toBeUndefined();
    // The worker's update queues behind the web's in the checkout; its start waits for it.
    let workerRan = false;
    void chain.run('/srv/shop', async () => {
      workerRan = true;
    }, 'worker');
    expect(workerRan).toBe(false);
    expect(chain.settled('worker')).toBeDefined();
    webUpdate.resolve();
    await done;
    await chain.settled('worker');
    expect(workerRan).toBe(true);
  });
});

