import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RotatingLog } from '../../../src/process/index.js';
import { shellCommandLine } from '../../../src/process/shellCommand.js';
import { makeTempDir, removeTempDirs } from '../../fixtures/git/tempDirs.js';

afterEach(removeTempDirs);

describe('RotatingLog', () => {
  it('continues an existing file, rotates at line ends and keeps N generations', async () => {
    const file = join(await makeTempDir(), 'sub', 'app.log');
    const first = new RotatingLog(file, 20, 2);
    first.write('aaaa\n');
    first.close();
    const log = new RotatingLog(file, 20, 2);
    log.write('bbbbbbbb\ncccccccc\n'); // 5 + 18 > 20: "bbbbbbbb\n" fits, the rest rotates
    expect(readFileSync(file, 'utf8')).toBe('cccccccc\n');
    expect(readFileSync(`${file}.1`, 'utf8')).toBe('aaaa\nbbbbbbbb\n');
    log.write('dddddddddddddd\n');
    log.write('eeeeeeeeeeeeee\n');
    log.close();
    expect(readFileSync(file, 'utf8')).toBe('eeeeeeeeeeeeee\n');
    expect(readFileSync(`${file}.1`, 'utf8')).toBe('dddddddddddddd\n');
    expect(readFileSync(`${file}.2`, 'utf8')).toBe('cccccccc\n');
    expect(existsSync(`${file}.3`)).toBe(false);
  });

  it('cuts a line longer than a whole file, and writes nothing after close', async () => {
    const file = join(await makeTempDir(), 'app.log');
    const log = new RotatingLog(file, 10, 1);
    log.write('x'.repeat(25));
    log.close();
    log.write('late');
    expect(readFileSync(file, 'utf8')).toBe('xxxxx');
    expect(readFileSync(`${file}.1`, 'utf8')).toBe('x'.repeat(10));
  });

  it('keeps only the current file with zero generations', async () => {
    const file = join(await makeTempDir(), 'app.log');
    writeFileSync(file, '');
    const log = new RotatingLog(file, 4, 0);
    log.write('ab\ncd\n');
    log.close();
    expect(readFileSync(file, 'utf8')).toBe('cd\n');
    expect(existsSync(`${file}.1`)).toBe(false);
  });
});

describe('shellCommandLine', () => {
  it('execs simple commands and leaves compound ones to the shell', () => {
    expect(shellCommandLine('python -m dummy_app.py')).toBe('exec python -m dummy_app.py');
    expect(shellCommandLine('node "$APP_DIR/server.js" --port $PORT > out.log')).toBe('exec node "$APP_DIR/server.js" --port $PORT > out.log');
    for (const command of ['npm ci && node app.js', 'a | b', 'a; b', 'a &', 'PORT=1 node app.js', 'cd sub', '(cd x; y)', 'if true; then x; fi', 'exec node x']) {
      expect(shellCommandLine(command)).toBe(command);
    }
  });
});
