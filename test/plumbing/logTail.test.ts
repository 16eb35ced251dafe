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
    await rename(file, `${file}.1`);
    await writeFile(file, 'six\n');
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
    const dir = await dirs.make();
    const file = path.join(dir, 'app.log');
    await writeFile(file, 'one\n');
    // The follow held on its next chunk: the rotation then lands between its copy of the old file
    // and its look at the path, deterministically.
    const reader = heldReader();
    const controller = new AbortController();
    const done = writeLogTail(file, { lines: 1, follow: true, pollMs: 10 }, reader.out, controller.signal);
    await waitFor(() => reader.text() === 'one\n', 'the tail');
    reader.hold();
    await appendFile(file, 'two\n');
    await waitFor(reader.held, 'the follow to be writing out the appended line');
    await appendFile(file, 'three\n');
    await rename(file, `${file}.1`);
    await writeFile(file, 'four\n');
    reader.release();
    await waitFor(() => reader.text().endsWith('four\n'), 'a line in the new file');
    expect(reader.text()).toBe('one\ntwo\nthree\nfour\n');
    controller.abort();
    await done;
  });

  it('reads the files rotated away while it was held back, in order, when it finds several rotations at once', async () => {
    const dir = await dirs.make();
    const file = path.join(dir, 'app.log');
    await writeFile(file, 'one\n');
    const reader = heldReader();
    const controller = new AbortController();
    const done = writeLogTail(file, { lines: 1, follow: true, pollMs: 10 }, reader.out, controller.signal);
    await waitFor(() => reader.text() === 'one\n', 'the tail');
    reader.hold();
    await appendFile(file, 'two\n');
    await waitFor(reader.held, 'the follow to be writing out the appended line');
    // Two rotations as RotatingLog makes them (file → file.1 → file.2), while the reader waits.
    await appendFile(file, 'three\n');
    await rename(file, `${file}.1`);
    await writeFile(file, 'four\n');
    await rename(`${file}.1`, `${file}.2`);
    await rename(file, `${file}.1`);
    await writeFile(file, 'five\n');
    reader.release();
    await waitFor(() => reader.text().endsWith('five\n'), 'a line in the newest file');
    expect(reader.text()).toBe('one\ntwo\nthree\nfour\nfive\n');
    controller.abort();
    await done;
  });

  it('sees a copytruncate that lands right after it wrote out a line, and reads the rewritten file from its start', async () => {
    const dir = await dirs.make();
    const file = path.join(dir, 'app.log');
    await writeFile(file, 'one\n');
    const reader = heldReader();
    const controller = new AbortController();
    const done = writeLogTail(file, { lines: 1, follow: true, pollMs: 10 }, reader.out, controller.signal);
    await waitFor(() => reader.text() === 'one\n', 'the tail');
    reader.hold();
    await appendFile(file, 'six\n');
    await waitFor(reader.held, 'the follow to be writing out the appended line');
    // Truncated and written again, longer than what was there, before the follow looks again.
    await truncate(file, 0);
    await appendFile(file, 'seventeen\n');
    reader.release();
    await waitFor(() => reader.text().endsWith('seventeen\n'), 'the rewritten file');
    expect(reader.text()).toBe('one\nsix\nseventeen\n');
    controller.abort();
    await done;
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
