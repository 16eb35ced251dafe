import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startConfigWatcher, type ConfigChanges, type ConfigWatcher } from '../../src/daemon/configWatcher.js';
import { tempDirs, waitFor } from './helpers.js';

const dirs = tempDirs();
const open: ConfigWatcher[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()));
  await dirs.cleanup();
});

const isConfigFile = (name: string): boolean => /\.(json|ini)$/.test(name) && !name.startsWith('.');

interface Harness {
  watcher: ConfigWatcher;
  batches: ConfigChanges[];
  errors: string[];
  /** All batches merged, for asserting on the net effect. */
  next(what: string): Promise<ConfigChanges>;
}

async function watchDir(dir: string, options: { debounceMs?: number; rescanIntervalMs?: number; retryMs?: number } = {}): Promise<Harness> {
  const batches: ConfigChanges[] = [];
  const errors: string[] = [];
  const watcher = await startConfigWatcher({
    dir,
    isConfigFile,
    onChanges: (changes) => void batches.push(changes),
    onError: (error) => errors.push(error.message),
    debounceMs: options.debounceMs ?? 30,
    rescanIntervalMs: options.rescanIntervalMs ?? 0,
    retryMs: options.retryMs ?? 30,
  });
  open.push(watcher);
  let seen = batches.length;
  return {
    watcher,
    batches,
    errors,
    async next(what) {
      await waitFor(() => batches.length > seen, what);
      seen = batches.length;
      return batches[batches.length - 1] as ConfigChanges;
    },
  };
}

describe('config watcher', () => {
  it('reports existing configs at start, then additions, changes and removals; ignores other files', async () => {
    const dir = await dirs.make();
    const a = path.join(dir, 'a.json');
    await writeFile(a, '{"a":1}');
    await writeFile(path.join(dir, 'notes.txt'), 'not a config');
    await mkdir(path.join(dir, 'sub.json')); // a dir with a config-like name is not a config
    const h = await watchDir(dir);
    expect(h.batches).toEqual([{ added: [a], changed: [], removed: [] }]);
    expect(h.watcher.files()).toEqual([a]);

    const b = path.join(dir, 'b.ini');
    await writeFile(b, '[repository]\n');
    expect(await h.next('b added')).toEqual({ added: [b], changed: [], removed: [] });

    await writeFile(a, '{"a":2}');
    expect(await h.next('a changed')).toEqual({ added: [], changed: [a], removed: [] });

    await rm(b);
    expect(await h.next('b removed')).toEqual({ added: [], changed: [], removed: [b] });

    await writeFile(path.join(dir, 'other.txt'), 'x');
    await writeFile(path.join(dir, '.a.json.swp'), 'x');
    expect(await h.watcher.rescan()).toEqual({ added: [], changed: [], removed: [] });
    expect(h.batches).toHaveLength(4);
    expect(h.errors).toEqual([]);
  });

  it('sees a save by write-to-temp-and-rename as one change, and a rewrite with equal content as none', async () => {
    const dir = await dirs.make();
    const a = path.join(dir, 'a.json');
    await writeFile(a, '{"v":1}');
    const h = await watchDir(dir);
    const temp = path.join(dir, '.a.json.tmp1234');
    await writeFile(temp, '{"v":2}');
    await rename(temp, a);
    expect(await h.next('a replaced')).toEqual({ added: [], changed: [a], removed: [] });

    await writeFile(a, '{"v":2}'); // same bytes
    expect(await h.watcher.rescan()).toEqual({ added: [], changed: [], removed: [] });
    expect(h.batches).toHaveLength(2);
  });

  it('coalesces a burst of writes into few batches with the final content', async () => {
    const dir = await dirs.make();
    const h = await watchDir(dir, { debounceMs: 200 });
    const files = Array.from({ length: 10 }, (_, i) => path.join(dir, `app${i}.json`));
    for (let round = 0; round < 5; round++) {
      for (const file of files) await writeFile(file, `{"round":${round}}`);
    }
    await waitFor(() => h.watcher.files().length === 10, 'all ten files known');
    const added = h.batches.flatMap((b) => b.added);
    expect(new Set(added).size).toBe(10);
    expect(h.batches.length).toBeLessThanOrEqual(3);
    // and nothing is left to report
    expect(await h.watcher.rescan()).toEqual({ added: [], changed: [], removed: [] });
  });

  it('rescan() picks up a change at once (SIGHUP)', async () => {
    const dir = await dirs.make();
    const a = path.join(dir, 'a.json');
    await writeFile(a, '1');
    // Events effectively off: only rescans find anything.
    const h = await watchDir(dir, { debounceMs: 60_000 });
    await writeFile(a, '2');
    expect(await h.watcher.rescan()).toEqual({ added: [], changed: [a], removed: [] });
    expect(h.batches.at(-1)).toEqual({ added: [], changed: [a], removed: [] });
  });

  it('the periodic rescan catches what events missed', async () => {
    const dir = await dirs.make();
    const h = await watchDir(dir, { debounceMs: 60_000, rescanIntervalMs: 40 });
    const a = path.join(dir, 'a.json');
    await writeFile(a, '1');
    expect(await h.next('periodic rescan')).toEqual({ added: [a], changed: [], removed: [] });
  });

  it('waits for a config dir that does not exist yet, reporting it once', async () => {
    const parent = await dirs.make();
    const dir = path.join(parent, 'conf');
    const h = await watchDir(dir);
    expect(h.batches).toEqual([]);
    expect(h.errors).toEqual([expect.stringMatching(/config dir .*conf does not exist; retrying/)]);
    await h.watcher.rescan();
    await h.watcher.rescan(); // still missing: not reported again
    expect(h.errors).toHaveLength(1);
    await mkdir(dir);
    const a = path.join(dir, 'a.json');
    await writeFile(a, '{}');
    expect(await h.next('dir created')).toEqual({ added: [a], changed: [], removed: [] });
  });

  it('keeps the apps when the dir disappears, and compares again when it comes back', async () => {
    const parent = await dirs.make();
    const dir = path.join(parent, 'conf');
    await mkdir(dir);
    const a = path.join(dir, 'a.json');
    const b = path.join(dir, 'b.json');
    await writeFile(a, '1');
    await writeFile(b, '1');
    const h = await watchDir(dir);
    await rm(dir, { recursive: true });
    await waitFor(() => h.errors.some((e) => e.includes('does not exist')), 'the missing dir to be reported');
    expect(h.watcher.files()).toEqual([a, b]);
    // Replaced by a new dir (as a deploy tool would): only the real differences are reported.
    const staging = path.join(parent, 'conf.new');
    await mkdir(staging);
    await writeFile(path.join(staging, 'a.json'), '1');
    await writeFile(path.join(staging, 'b.json'), '2');
    await rename(staging, dir);
    expect(await h.next('dir back')).toEqual({ added: [], changed: [b], removed: [] });
    // and the new dir is watched
    const c = path.join(dir, 'c.json');
    await writeFile(c, '1');
    expect(await h.next('c added in the new dir')).toEqual({ added: [c], changed: [], removed: [] });
    expect(h.batches.every((batch) => batch.removed.length === 0)).toBe(true);
  });

  it('waits for the previous batch to be handled before delivering the next', async () => {
    const dir = await dirs.make();
    let inHandler = 0;
    let overlapped = false;
    const delivered: ConfigChanges[] = [];
    const watcher = await startConfigWatcher({
      dir,
      isConfigFile,
      debounceMs: 5,
      rescanIntervalMs: 0,
      onChanges: async (changes) => {
        inHandler++;
        if (inHandler > 1) overlapped = true;
        await new Promise((resolve) => setImmediate(resolve));
        delivered.push(changes);
        inHandler--;
      },
    });
    open.push(watcher);
    await Promise.all([writeFile(path.join(dir, 'x.json'), '1'), watcher.rescan(), watcher.rescan(), watcher.rescan()]);
    await writeFile(path.join(dir, 'y.json'), '1');
    await watcher.rescan();
    expect(overlapped).toBe(false);
    expect(delivered.flatMap((d) => d.added).map((f) => path.basename(f)).sort()).toEqual(['x.json', 'y.json']);
  });

  it('close() leaves no watcher or timer behind and delivers nothing afterwards', async () => {
    const dir = await dirs.make();
    const count = (): Record<string, number> => {
      const counts: Record<string, number> = {};
      for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
      return counts;
    };
    const before = count();
    const h = await watchDir(dir, { debounceMs: 60_000, rescanIntervalMs: 60_000 });
    await writeFile(path.join(dir, 'a.json'), '1'); // arms the debounce timer via an event
    await waitFor(() => (count().Timeout ?? 0) >= (before.Timeout ?? 0) + 2, 'the debounce and periodic timers');
    expect(count().FSEventWrap ?? 0).toBe((before.FSEventWrap ?? 0) + 1);
    await h.watcher.close();
    open.splice(open.indexOf(h.watcher), 1);
    expect(count().Timeout ?? 0).toBe(before.Timeout ?? 0);
    // The inotify handle finishes closing on the next turn of the event loop.
    await waitFor(() => (count().FSEventWrap ?? 0) === (before.FSEventWrap ?? 0), 'the fs watcher to close');
    expect(await h.watcher.rescan()).toEqual({ added: [], changed: [], removed: [] });
    expect(h.batches).toEqual([]);
  });
});
