import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerSchema } from '../../src/cli/commands/schema.js';
import { registerValidate, runValidate } from '../../src/cli/commands/validate.js';
import { appConfigSchema } from '../../src/config/index.js';

let dir: string;
let out: string[];
let err: string[];
const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'huddle-validate-'));
  out = [];
  err = [];
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

const good = '{"repository": {"remote path": "https://h/x.git", "local path": "/srv/x"}}';

describe('huddle validate', () => {
  it('prints "ok" per valid file and exits 0', () => {
    writeFileSync(join(dir, 'a.json'), good);
    writeFileSync(join(dir, 'b.ini'), '[repository]\nremote path = x\nlocal path = y\n');
    expect(runValidate([dir], {}, io, {})).toBe(0);
    expect(out).toEqual([`${join(dir, 'a.json')}: ok`, `${join(dir, 'b.ini')}: ok`]);
  });

  it('prints each error with its file and exits 1 when any file is invalid', () => {
    writeFileSync(join(dir, 'a.json'), good);
    writeFileSync(join(dir, 'web.ini'), '[repository]\nremote path = x\n');
    writeFileSync(join(dir, 'x.json'), JSON.stringify({ ...JSON.parse(good), depends: ['nope'] }));
    expect(runValidate([dir, join(dir, 'a.json')], {}, io, {})).toBe(1);
    expect(out).toEqual([
      `${join(dir, 'a.json')}: ok`,
      `${join(dir, 'web.ini')}: [repository] local path: required`,
      `${join(dir, 'x.json')}: depends: unknown app "nope": no config in this directory has that name`,
      `${join(dir, 'a.json')}: ok`,
    ]);
  });

  it('checks explicitly named files even when a directory would skip them', () => {
    writeFileSync(join(dir, '_draft.json'), good);
    expect(runValidate([join(dir, '_draft.json')], {}, io, {})).toBe(0);
  });

  it('fails for a missing path and for a directory without configs', () => {
    expect(runValidate([join(dir, 'missing.json'), dir], {}, io, {})).toBe(1);
    expect(out).toEqual([
      `${join(dir, 'missing.json')}: cannot read the file: no such file`,
      `${dir}: no app configs (*.json, *.ini not starting with _ or .)`,
    ]);
  });

  it('prints the normalised config with --print', () => {
    writeFileSync(join(dir, 'web.ini'), '[repository]\nremote path = https://${T}@h/x.git\nlocal path = /srv/web\n[watchdog]\nport = 81\n');
    expect(runValidate([join(dir, 'web.ini')], { print: true }, io, { T: 'token' })).toBe(0);
    const printed = JSON.parse(out.join('\n')) as Record<string, unknown>;
    expect(printed['name']).toBe('web');
    expect(printed['repository']).toMatchObject({ 'remote path': 'https://***@h/x.git', branch: 'master' });
    expect(printed['health']).toEqual({ tcp: { host: '127.0.0.1', port: 81, send: 'watchdog' }, interval: 60, timeout: 2, retries: 3, 'start period': 60 });
    expect(printed).not.toHaveProperty('watchdog');
  });

  it('refuses --print for anything but one file', () => {
    expect(runValidate([dir], { print: true }, io, {})).toBe(1);
    expect(err).toEqual(['huddle validate --print takes exactly one config file']);
    writeFileSync(join(dir, 'bad.json'), '{}');
    err = [];
    expect(runValidate([join(dir, 'bad.json')], { print: true }, io, {})).toBe(1);
    expect(err).toEqual([`${join(dir, 'bad.json')}: [repository]: required`]);
  });

  it('explains itself in --help', () => {
    const program = new Command().exitOverride();
    let help = '';
    program.configureOutput({ writeOut: (s) => { help += s; } });
    registerValidate(program);
    expect(() => program.parse(['node', 'huddle', 'validate', '--help'])).toThrow();
    expect(help).toContain('Usage: huddle validate [options] <paths...>');
    expect(help).toContain('--print');
    expect(help).toContain('Exit status: 0 when every file is valid, 1 otherwise.');
  });

  it('sets the exit code from the command line', async () => {
    writeFileSync(join(dir, 'a.json'), '{}');
    const program = new Command();
    registerValidate(program);
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const before = process.exitCode;
    await program.parseAsync(['node', 'huddle', 'validate', join(dir, 'a.json')]);
    expect(process.exitCode).toBe(1);
    process.exitCode = before;
  });
});

describe('huddle schema', () => {
  it('prints the JSON Schema', async () => {
    const program = new Command();
    registerSchema(program);
    let printed = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => { printed += String(chunk); return true; });
    await program.parseAsync(['node', 'huddle', 'schema']);
    expect(JSON.parse(printed)).toEqual(appConfigSchema);
  });
});
