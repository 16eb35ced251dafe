import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appProcessFile, appStateFile } from '../../src/daemon/paths.js';
import { loadAppState, openStateStore, writeFileAtomic } from '../../src/daemon/stateStore.js';
import { replaceFileSync } from '../../src/util/atomicWrite.js';
import { tempDirs } from './helpers.js';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe('writeFileAtomic', () => {
  it('leaves the old file intact when the writer dies between write and rename', async () => {
    const dir = await dirs.make();
    const file = path.join(dir, 'f.json');
    await writeFileAtomic(file, 'old');
    let tempSeen = '';
    await expect(
      writeFileAtomic(file, 'new', {
        beforeRename: async (temp) => {
          tempSeen = await readFile(temp, 'utf8');
          throw new Error('simulated crash');
        },
      }),
    ).rejects.toThrow('simulated crash');
    expect(tempSeen).toBe('new'); // the new content was fully written, only the rename is missing
    expect(await readFile(file, 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['f.json']);
  });

  it('makes the directories of a first write', async () => {
    const dir = await dirs.make();
    const file = path.join(dir, 'a', 'b', 'f.json');
    await writeFileAtomic(file, 'first');
    expect(await readFile(file, 'utf8')).toBe('first');
  });

  it('writes small and large content whole, small on the thread and large through the pool', async () => {
    const dir = await dirs.make();
    const file = path.join(dir, 'f.bin');
    const large = Buffer.alloc(3 * 1024 * 1024, 7);
    await writeFileAtomic(file, large);
    expect((await readFile(file)).equals(large)).toBe(true);
    await writeFileAtomic(file, 'é'.repeat(40_000)); // 80 000 bytes: above the limit by bytes, not by characters
    expect(await readFile(file, 'utf8')).toBe('é'.repeat(40_000));
    await writeFileAtomic(file, 'small');
    expect(await readFile(file, 'utf8')).toBe('small');
    expect(await readdir(dir)).toEqual(['f.bin']);
  });
});

describe('replaceFileSync', () => {
  it('replaces a file whole, makes missing directories, and leaves no temp file behind', async () => {
    const dir = await dirs.make();
    const file = path.join(dir, 'apps', 'web', 'process.json');
    replaceFileSync(file, 'old');
    replaceFileSync(file, 'new');
    expect(await readFile(file, 'utf8')).toBe('new');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(path.dirname(file))).toEqual(['process.json']);
  });

  it('keeps the old file and removes its temp file when the rename fails', async () => {
    const dir = await dirs.make();
    const file = path.join(dir, 'f.json');
    await mkdir(file); // a directory where the file should go: the rename fails
    expect(() => replaceFileSync(file, 'new')).toThrow();
    expect(await readdir(dir)).toEqual(['f.json']);
  });
});

describe('state store', () => {
  it('round-trips a state and reports a missing one as missing', async () => {
    const stateDir = await dirs.make();
    const store = await openStateStore(stateDir);
    expect(await store.load('web')).toEqual({ status: 'missing' });
    store.save('web', { commit: 'abc', restarts: [1, 2] });
    await store.flush();
    const loaded = await store.load('web');
    expect(loaded).toMatchObject({ status: 'ok', value: { commit: 'abc', restarts: [1, 2] } });
    const onDisk = JSON.parse(await readFile(appStateFile(stateDir, 'web'), 'utf8')) as Record<string, unknown>;
    expect(onDisk).toMatchObject({ version: 1, app: 'web', state: { commit: 'abc' } });
  });

  it.each([
    ['torn (truncated JSON)', '{"version":1,"app":"web","savedAt":"x","state":{"comm'],
    ['garbage', '\u0000\u0001 not json at all'],
    ['empty', ''],
    ['wrong version', '{"version":2,"app":"web","savedAt":"x","state":{}}'],
    ['another app', '{"version":1,"app":"api","savedAt":"x","state":{}}'],
    ['not an object', '[1,2]'],
  ])('reports a %s file, moves it aside and carries on', async (_what, content) => {
    const stateDir = await dirs.make();
    const file = appStateFile(stateDir, 'web');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
    const result = await loadAppState(stateDir, 'web');
    expect(result.status).toBe('corrupt');
    if (result.status !== 'corrupt') return;
    expect(result.error).toContain(file);
    expect(result.movedTo).toMatch(/web\.json\.corrupt-/);
    expect(await readFile(result.movedTo ?? '', 'utf8')).toBe(content); // kept for inspection
    expect(await loadAppState(stateDir, 'web')).toEqual({ status: 'missing' }); // and ignored
    const store = await openStateStore(stateDir);
    store.save('web', { fresh: true });
    await store.flush();
    expect(await store.load('web')).toMatchObject({ status: 'ok', value: { fresh: true } });
  });

  it('treats a state the caller rejects as corrupt', async () => {
    const stateDir = await dirs.make();
    const store = await openStateStore(stateDir);
    store.save('web', { restarts: 'many' });
    await store.flush();
    const result = await store.load('web', (state) => {
      if (typeof (state as { restarts?: unknown }).restarts !== 'number') throw new Error('"restarts" must be a number');
      return state as { restarts: number };
    });
    expect(result).toMatchObject({ status: 'corrupt', error: expect.stringContaining('"restarts" must be a number') });
  });

  it('serialises and coalesces frequent saves: the last value wins, with few writes', async () => {
    const stateDir = await dirs.make();
    const store = await openStateStore(stateDir);
    const file = appStateFile(stateDir, 'web');
    const seen = new Set<string>();
    for (let i = 1; i <= 200; i++) {
      store.save('web', { n: i });
      store.save('api', { n: -i });
    }
    // Watch the file while the writes drain: it always holds one complete value.
    const watching = (async () => {
      for (let i = 0; i < 50; i++) {
        try {
          seen.add(String((JSON.parse(await readFile(file, 'utf8')) as { state: { n: number } }).state.n));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }
    })();
    await Promise.all([store.flush(), watching]);
    expect(await store.load('web')).toMatchObject({ status: 'ok', value: { n: 200 } });
    expect(await store.load('api')).toMatchObject({ status: 'ok', value: { n: -200 } });
    // 200 saves in one tick: the first write plus one for the newest value, not 200.
    expect(seen.size).toBeLessThanOrEqual(2);
    expect((await readdir(path.dirname(file))).sort()).toEqual(['api.json', 'web.json']);
  });

  it('snapshots the value at save time', async () => {
    const stateDir = await dirs.make();
    const store = await openStateStore(stateDir);
    const state = { n: 1 };
    store.save('web', state);
    state.n = 2;
    await store.flush();
    expect(await store.load('web')).toMatchObject({ value: { n: 1 } });
  });

  it('reports a failing background save to onError and recovers on the next save', async () => {
    const stateDir = await dirs.make();
    const errors: string[] = [];
    const store = await openStateStore(stateDir, { onError: (app, error) => errors.push(`${app}: ${error.message}`) });
    // A directory where the file should be makes the rename fail.
    await mkdir(appStateFile(stateDir, 'web'), { recursive: true });
    store.save('web', { n: 1 });
    await store.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^web: /);
  });

  it('removes stale temp files of a crashed writer when opened', async () => {
    const stateDir = await dirs.make();
    const file = appStateFile(stateDir, 'web');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, '{"version":1,"app":"web","savedAt":"x","state":{"n":1}}');
    await writeFile(`${file}.tmp-999999-3`, '{"version":1,"app":"web","sav');
    const store = await openStateStore(stateDir);
    expect(await readdir(path.dirname(file))).toEqual(['web.json']);
    expect(await store.load('web')).toMatchObject({ status: 'ok', value: { n: 1 } });
  });

  it('records, lists and clears app processes, including apps no longer configured', async () => {
    const stateDir = await dirs.make();
    const store = await openStateStore(stateDir);
    await store.recordProcess('web', { pid: 1234, startTime: 99, commit: 'abc', tag: 't-1' });
    await store.recordProcess('a/b', { pid: 55, startTime: 7, commit: null });
    await writeFile(appProcessFile(stateDir, 'junk'), 'not json');
    const listing = await store.listProcesses();
    expect(listing.records).toEqual(
      expect.arrayContaining([
        { app: 'web', role: 'app', record: { pid: 1234, startTime: 99, commit: 'abc', tag: 't-1' } },
        { app: 'a/b', role: 'app', record: { pid: 55, startTime: 7, commit: null } },
      ]),
    );
    expect(listing.records).toHaveLength(2);
    expect(listing.errors).toHaveLength(1);
    expect(listing.errors[0]?.movedTo).toMatch(/junk\.pid\.json\.corrupt-/);
    await store.clearProcess('web');
    await store.clearProcess('web'); // idempotent
    expect(await store.loadProcess('web')).toEqual({ status: 'missing' });
    expect(await store.loadProcess('a/b')).toMatchObject({ status: 'ok', value: { pid: 55 } });
  });

  it('clears the app record only while it names the exiting process: a late exit keeps the next one', async () => {
    const stateDir = await dirs.make();
    const store = await openStateStore(stateDir);
    const old = { pid: 100, startTime: 5, tag: 'old-tag' };
    const next = { pid: 200, startTime: 9, tag: 'new-tag' };
    await store.recordProcess('web', { ...old, commit: 'abc' });
    await store.recordProcess('web', { ...next, commit: 'abc' });
    // The old process (killed by force, the app started again meanwhile) reports its exit late.
    await store.clearProcess('web', old);
    await store.clearProcess('web', { ...next, tag: 'other' });
    expect(await store.loadProcess('web')).toMatchObject({ status: 'ok', value: next });
    await store.clearProcess('web', next);
    expect(await store.loadProcess('web')).toEqual({ status: 'missing' });
    await store.clearProcess('web', next); // gone already: nothing to do
  });

  it('keeps each hook in a record of its own, beside the app record, and lists them all', async () => {
    const stateDir = await dirs.make();
    const store = await openStateStore(stateDir);
    await store.recordHook('web', { pid: 300, startTime: 3, commit: 'abc', tag: 'hook-1' });
    await store.recordHook('web', { pid: 301, startTime: 4, commit: 'abc', tag: 'hook-2' });
    await store.recordProcess('web', { pid: 400, startTime: 8, commit: 'abc', tag: 'app-1' });
    // A hook ends: only its own record goes, the app's and the other hook's stay.
    await store.clearHook('web', 'hook-1');
    const listing = await store.listProcesses();
    expect(listing.errors).toEqual([]);
    expect(listing.records).toEqual(
      expect.arrayContaining([
        { app: 'web', role: 'hook', record: { pid: 301, startTime: 4, commit: 'abc', tag: 'hook-2' } },
        { app: 'web', role: 'app', record: { pid: 400, startTime: 8, commit: 'abc', tag: 'app-1' } },
      ]),
    );
    expect(listing.records).toHaveLength(2);
    await store.clearHook('web', 'hook-2');
    expect(await store.loadProcess('web')).toMatchObject({ status: 'ok', value: { pid: 400 } });
  });

  it('whenWritten resolves once the state on disk satisfies the test, and no queued save takes it back', async () => {
    const stateDir = await dirs.make();
    const store = await openStateStore(stateDir);
    const noCheckout = (state: unknown) => (state as { currentCommit?: unknown }).currentCommit === null;
    store.save('web', { currentCommit: 'a' });
    await store.flush();
    let resolved = false;
    const waiting = store.whenWritten('web', noCheckout).then(() => (resolved = true));
    store.save('web', { currentCommit: null });
    await waiting;
    expect(resolved).toBe(true);
    expect(JSON.parse(await readFile(appStateFile(stateDir, 'web'), 'utf8'))).toMatchObject({ state: { currentCommit: null } });
    // On disk already, nothing queued: at once.
    await store.whenWritten('web', noCheckout);
    // On disk, but a queued save would take it back: waits for a save that holds again.
    store.save('web', { currentCommit: 'b' });
    let again = false;
    const later = store.whenWritten('web', noCheckout).then(() => (again = true));
    await store.flush();
    expect(again).toBe(false);
    store.save('web', { currentCommit: null });
    await later;
    const aborted = new AbortController();
    const never = store.whenWritten('other', noCheckout, aborted.signal);
    aborted.abort(new Error('update cancelled'));
    await expect(never).rejects.toThrow('update cancelled');
  });

  it('whenWritten tries a failed newest write again when no save follows: it fails while the disk does, and succeeds once it is back', async () => {
    const stateDir = await dirs.make();
    const errors: string[] = [];
    const store = await openStateStore(stateDir, { onError: (_app, error) => errors.push(error.message) });
    const noCheckout = (state: unknown) => (state as { currentCommit?: unknown }).currentCommit === null;
    store.save('web', { currentCommit: 'a' });
    await store.flush();
    // The state file's place taken by a non-empty directory: every write fails (as on a full disk).
    const file = appStateFile(stateDir, 'web');
    await rm(file);
    await mkdir(file);
    await writeFile(path.join(file, 'x'), '');
    store.save('web', { currentCommit: null });
    await store.flush();
    expect(errors).toHaveLength(1);
    await expect(store.whenWritten('web', noCheckout)).rejects.toThrow(/EISDIR|ENOTEMPTY/);
    expect(errors).toHaveLength(2);
    // Writable again, and the state no longer changes (no save comes): the retry writes it.
    await rm(file, { recursive: true });
    await store.whenWritten('web', noCheckout);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ state: { currentCommit: null } });
    // A save queued right after the call (as the chart's is) is the one awaited.
    store.save('web', { currentCommit: 'b' });
    await store.flush();
    const waiting = store.whenWritten('web', noCheckout);
    store.save('web', { currentCommit: null });
    await waiting;
    expect(errors).toHaveLength(2);
  });

  it('rejects a process record with a bad pid as corrupt', async () => {
    const stateDir = await dirs.make();
    const store = await openStateStore(stateDir);
    await writeFile(appProcessFile(stateDir, 'web'), '{"version":1,"app":"web","pid":-1,"startTime":1,"commit":null}');
    expect(await store.loadProcess('web')).toMatchObject({ status: 'corrupt', error: expect.stringContaining('"pid"') });
  });

  it('remove() waits for a pending save and deletes the app files', async () => {
    const stateDir = await dirs.make();
    const store = await openStateStore(stateDir);
    await store.recordProcess('web', { pid: 1, startTime: 1, commit: null });
    store.save('web', { n: 1 });
    await store.remove('web');
    await store.flush();
    expect(await readdir(path.join(stateDir, 'apps'))).toEqual([]);
  });
});
