import { describe, expect, it } from 'vitest';
import { addLogSecrets, appLogger, createLogger } from '../../src/log.js';
import { Capture, waitFor } from './helpers.js';

const COMMIT = '0123456789abcdef0123456789abcdef01234567';

async function linesOf(capture: Capture, count: number): Promise<string[]> {
  await waitFor(() => capture.lines().length >= count, `${count} log lines`);
  return capture.lines();
}

describe('createLogger', () => {
  it('writes one JSON object per event, with app and short commit, when the stream is not a TTY', async () => {
    const out = new Capture();
    const logger = appLogger(createLogger({ stream: out }), { app: 'web', commit: COMMIT });
    logger.info('deployed', { durationMs: 12, note: 'two\nlines' });
    logger.warn('slow');
    const [first, second] = (await linesOf(out, 2)).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(first).toMatchObject({ level: 'info', app: 'web', commit: '0123456', message: 'deployed', durationMs: 12, note: 'two\nlines' });
    expect(Date.parse(String(first?.time))).not.toBeNaN();
    expect(second).toMatchObject({ level: 'warn', message: 'slow', app: 'web' });
    expect(out.text.split('\n')).toHaveLength(3); // two lines and the final newline
  });

  it('never prints credentials: URLs in messages, fields, nested values and errors; secret-named fields; registered secrets', async () => {
    const out = new Capture();
    const root = createLogger({ stream: out, format: 'json' });
    const logger = appLogger(root, { app: 'api', commit: null });
    addLogSecrets(logger, ['hunter2-value']);
    const error = new Error('fetch https://bob:s3cret@git.example/repo.git failed');
    logger.error('clone of https://alice:pa55word@git.example/x.git failed', {
      remote: 'https://tok3n@git.example/x.git',
      nested: { urls: ['ssh://carol:pw@host/repo'] },
      error,
      token: 'plain-token-value',
      env: 'VALUE=hunter2-value',
    });
    const [line] = await linesOf(out, 1);
    for (const secret of ['pa55word', 's3cret', 'tok3n', 'carol', 'pw@', 'plain-token-value', 'hunter2-value', 'alice', 'bob']) {
      expect(line).not.toContain(secret);
    }
    const parsed = JSON.parse(line ?? '{}') as Record<string, unknown>;
    expect(parsed.message).toBe('clone of https://***@git.example/x.git failed');
    expect(parsed.error).toBe('fetch https://***@git.example/repo.git failed');
    expect(parsed.token).toBe('***');
    expect(parsed).not.toHaveProperty('commit');
  });

  it('redacts an Error logged directly, message and stack', async () => {
    const out = new Capture();
    const logger = createLogger({ stream: out, format: 'json' });
    logger.error(new Error('push to https://u:p4ss@h/r failed'));
    const [line] = await linesOf(out, 1);
    expect(line).not.toContain('p4ss');
    expect(JSON.parse(line ?? '{}')).toMatchObject({ level: 'error', message: 'push to https://***@h/r failed' });
  });

  it('pretty format: time, level, app@commit, message, key=value', async () => {
    const out = new Capture(true);
    const logger = appLogger(createLogger({ stream: out, colors: false }), { app: 'web', commit: COMMIT });
    logger.info('health check failed', { status: 503, reason: 'bad gateway', url: 'http://x:y@127.0.0.1/' });
    const [line] = await linesOf(out, 1);
    expect(line).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} info {2}web@0123456 health check failed status=503 reason="bad gateway" url=http:\/\/\*\*\*@127\.0\.0\.1\/$/);
  });

  it('pretty with colour only when asked or on a TTY', async () => {
    const out = new Capture(true);
    createLogger({ stream: out, colors: true }).info('hello');
    const [line] = await linesOf(out, 1);
    expect(line).toContain('\x1b[');
    expect(line).toContain('hello');
  });

  it('auto picks JSON for a non-TTY stream and pretty for a TTY', async () => {
    const pipe = new Capture(false);
    const tty = new Capture(true);
    createLogger({ stream: pipe, format: 'auto' }).info('x');
    createLogger({ stream: tty, format: 'auto', colors: false }).info('x');
    const [jsonLine] = await linesOf(pipe, 1);
    const [prettyLine] = await linesOf(tty, 1);
    expect(JSON.parse(jsonLine ?? '')).toMatchObject({ message: 'x' });
    expect(prettyLine).toMatch(/ info {2}x$/);
  });

  it('filters by level and rejects an unknown level by name', async () => {
    const out = new Capture();
    const logger = createLogger({ stream: out, level: 'warn' });
    logger.info('hidden');
    logger.debug('hidden');
    logger.warn('shown');
    const lines = await linesOf(out, 1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('shown');
    expect(() => createLogger({ level: 'loud' })).toThrow(/unknown log level "loud".*error, warn, info/);
  });

  it('does not modify the objects it was given, and survives circular fields', async () => {
    const out = new Capture();
    const logger = createLogger({ stream: out });
    const meta: Record<string, unknown> = { remote: { url: 'https://a:b@h/r' } };
    meta.self = meta;
    logger.info('m', meta);
    const [line] = await linesOf(out, 1);
    expect((meta.remote as { url: string }).url).toBe('https://a:b@h/r');
    expect(JSON.parse(line ?? '{}')).toMatchObject({ remote: { url: 'https://***@h/r' }, self: { self: '[Circular]' } });
  });
});
