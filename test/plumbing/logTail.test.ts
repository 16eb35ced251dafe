import { existsSync } from 'node:fs';
import { appendFile, rename, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { tailFile, writeLogTail } from '../../src/control/logTail.js';
import { Capture, tempDirs, waitFor } from './helpers.js';

/** `out` for a follow that holds it on a chunk once `hold()` was called, until `release()`. */
function heldReader() {
  const received: string[] = [];
  let holding = false;
  let pending: (() => void) | undefined;
  const out = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, callback) {
      received.push(chunk.toString());
      if (holding) pending = () => callback();
      else callback();
    },
  });
  return {
    out,
    text: () => received.join(''),
    hold: () => (holding = true),
    held: () => pending !== undefined,
    release() {
      holding = false;
      const resume = pending;
      pending = undefined;
      resume?.();
    },
  };
}

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

/**
 * Follows a new log holding "one", appends `line` and holds the follow while it writes that line
 * out. `finish` lets it go on, waits for output ending with `last`, and stops it.
 */
async function followHeldOn(line: string) {
  const file = path.join(await dirs.make(), 'app.log');
  await writeFile(file, 'one\n');
  const reader = heldReader();
  const controller = new AbortController();
  const done = writeLogTail(file, { lines: 1, follow: true, pollMs: 10 }, reader.out, controller.signal);
  await waitFor(() => reader.text() === 'one\n', 'the tail');
  reader.hold();
  await appendFile(file, line);
  await waitFor(reader.held, 'the follow to be writing out the appended line');
  const finish = async (last: string) => {
    reader.release();
    await waitFor(() => reader.text().endsWith(last), `"${last.trim()}" to be written out`);
    controller.abort();
    await done;
  };
  return { file, reader, finish };
}

/** Rotates `file` as RotatingLog does (file.N → file.N+1 … file → file.1) and starts it anew with `first`. */
async function rotate(file: string, first: string) {
  let last = 0;
  while (existsSync(`${file}.${last + 1}`)) last++;
  for (let n = last; n >= 1; n--) await rename(`${file}.${n}`, `${file}.${n + 1}`);
  await rename(file, `${file}.1`);
  await writeFile(file, first);
}

describe('tailFile', () => {
  it('returns the last lines, with or without a final newline, and none for a missing file', async () => {
    const dir = await dirs.make();
    const file = path.join(dir, 'app.log');
    expect(await tailFile(file, 5)).toEqual([]);
    await writeFile(file, 'a\nb\nc\n');
    expect(await tailFile(file, 2)).toEqual(['b', 'c']);
    expect(await tailFile(file, 10)).toEqual(['a', 'b', 'c']);
    expect(await tailFile(file, 0)).toEqual([]);
    await writeFile(file, 'a\nb\npartial');
    expect(await tailFile(file, 2)).toEqual(['b', 'partial']);
    await writeFile(file, '');
    expect(await tailFile(file, 3)).toEqual([]);
  });

  it('finds lines across read chunks in a big file', async () => {
    const dir = await dirs.make();
    const file = path.join(dir, 'big.log');
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${'x'.repeat(20)}`);
    await writeFile(file, `${lines.join('\n')}\n`);
    expect(await tailFile(file, 5000)).toEqual(lines.slice(-5000));
  });
});

describe('writeLogTail', () => {
  it('writes the tail and, following, appended data across rotation and truncation until aborted', async () => {
    const dir = await dirs.make();
    const file = path.join(dir, 'app.log');
    await writeFile(file, 'one\ntwo\nthree\n');
    const out = new Capture();
    const controller = new AbortController();
    const done = writeLogTail(file, { lines: 2, follow: true, pollMs: 10 }, out, controller.signal);
    await waitFor(() => out.text === 'two\nthree\n', 'the tail');
    await appendFile(file, 'four\n');
    await waitFor(() => out.text.endsWith('four\n'), 'an appended line');
    // Rotation: the file is renamed away (after a last line) and a new one is created.
    await appendFile(file, 'five\n');
    await rotate(file, 'six\n');
    await waitFor(() => out.text.endsWith('six\n'), 'a line in the new file');
    expect(out.text).toBe('two\nthree\nfour\nfive\nsix\n');
    // copytruncate: truncated in place, then written again
    await truncate(file, 0);
    await appendFile(file, 'seven\n'); // longer than what was there: only the content tells
    await waitFor(() => out.text.endsWith('seven\n'), 'a line after truncation');
    expect(out.text).toBe('two\nthree\nfour\nfive\nsix\nseven\n');
    controller.abort();
    await done;
  });

  it('keeps the last lines of a rotated file that arrived while it was still writing out earlier ones', async () => {
    // Held while it writes out "two": the rotation lands between its copy of the old file and
    // its look at the path, deterministically.
    const { file, reader, finish } = await followHeldOn('two\n');
    await appendFile(file, 'three\n');
    await rotate(file, 'four\n');
    await finish('four\n');
    expect(reader.text()).toBe('one\ntwo\nthree\nfour\n');
  });

  it('reads the files rotated away while it was held back, in order, when it finds several rotations at once', async () => {
    const { file, reader, finish } = await followHeldOn('two\n');
    // Two rotations as RotatingLog makes them (file → file.1 → file.2), while the reader waits.
    await appendFile(file, 'three\n');
    await rotate(file, 'four\n');
    await rotate(file, 'five\n');
    await finish('five\n');
    expect(reader.text()).toBe('one\ntwo\nthree\nfour\nfive\n');
  });

  it('sees a copytruncate that lands right after it wrote out a line, and reads the rewritten file from its start', async () => {
    const { file, reader, finish } = await followHeldOn('six\n');
    // Truncated and written again, longer than what was there, before the follow looks again.
    await truncate(file, 0);
    await appendFile(file, 'seventeen\n');
    await finish('seventeen\n');
    expect(reader.text()).toBe('one\nsix\nseventeen\n');
  });

  it('without follow writes the tail and returns; a missing file gives nothing', async () => {
    const dir = await dirs.make();
    const out = new Capture();
    await writeLogTail(path.join(dir, 'none.log'), { lines: 5, follow: false }, out, new AbortController().signal);
    expect(out.text).toBe('');
    await writeFile(path.join(dir, 'a.log'), 'x\ny');
    await writeLogTail(path.join(dir, 'a.log'), { lines: 5, follow: false }, out, new AbortController().signal);
    expect(out.text).toBe('x\ny');
  });

  it('following a file that does not exist yet picks it up when it appears', async () => {
    const dir = await dirs.make();
    const file = path.join(dir, 'later.log');
    const out = new Capture();
    const controller = new AbortController();
    const done = writeLogTail(file, { lines: 10, follow: true, pollMs: 10 }, out, controller.signal);
    await writeFile(file, 'hello\n');
    await waitFor(() => out.text === 'hello\n', 'the new file');
    controller.abort();
    await done;
  });
});
