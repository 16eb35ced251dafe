import { chmod, chown, mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileDeployError, deployFiles, type FileEntry } from '../../../src/files/index.js';
import { TEMP_SUFFIX } from '../../../src/util/atomicWrite.js';
import { makeTempDir, removeTempDirs } from '../../fixtures/git/tempDirs.js';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

let root: string;
let checkoutDir: string;
let configDir: string;
let outside: string;
let ctx: { checkoutDir: string; configDir: string };

beforeEach(async () => {
  root = await makeTempDir('huddle-files-');
  checkoutDir = join(root, 'checkout');
  configDir = join(root, 'config');
  outside = join(root, 'outside');
  await Promise.all([mkdir(checkoutDir), mkdir(configDir), mkdir(outside)]);
  await writeFile(join(checkoutDir, 'nginx.conf'), 'server { listen 8080; }\n');
  await writeFile(join(outside, 'secret'), 'host secret\n');
  ctx = { checkoutDir, configDir };
});
afterEach(removeTempDirs);

async function rejection(p: Promise<unknown>): Promise<FileDeployError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(FileDeployError);
  return e as FileDeployError;
}

async function tempFilesUnder(dir: string): Promise<string[]> {
  const names = await readdir(dir, { recursive: true });
  return names.filter((name) => TEMP_SUFFIX.test(name));
}

async function identity(file: string): Promise<string> {
  const info = await stat(file);
  return `${info.ino}:${info.mtimeMs}`;
}

/** The name of the group with gid 65534 (nogroup on Debian, nobody elsewhere), if any. */
async function nobodyGroup(): Promise<string | undefined> {
  const text = await readFile('/etc/group', 'utf8');
  return text
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[2] === String(NOBODY))?.[0];
}

describe('deployFiles', () => {
  it('writes content and source entries with their bytes and exact mode, then rewrites nothing', async () => {
    const entries: FileEntry[] = [
      { path: 'app.env', content: 'PORT=8080\n', mode: '0640' },
      { path: join(root, 'etc', 'nginx.conf'), source: 'nginx.conf', mode: '0600' },
    ];
    const first = await deployFiles(entries, ctx);
    const env = join(configDir, 'app.env');
    const nginx = join(root, 'etc', 'nginx.conf');
    expect(first.changed).toEqual([env, nginx]);
    expect(await readFile(env, 'utf8')).toBe('PORT=8080\n');
    expect(await readFile(nginx, 'utf8')).toBe('server { listen 8080; }\n');
    expect((await stat(env)).mode & 0o7777).toBe(0o640);
    expect((await stat(nginx)).mode & 0o7777).toBe(0o600);

    const before = [await identity(env), await identity(nginx)];
    const second = await deployFiles(entries, ctx);
    expect(second.changed).toEqual([]);
    expect([await identity(env), await identity(nginx)]).toEqual(before);
    expect(await tempFilesUnder(root)).toEqual([]);
  });

  it('rewrites only the entry whose content changed, and applies a mode change', async () => {
    const entries: FileEntry[] = [
      { path: 'a.conf', content: 'a=1\n', mode: '0644' },
      { path: 'b.conf', content: 'b=1\n', mode: '0644' },
    ];
    await deployFiles(entries, ctx);
    const a = join(configDir, 'a.conf');
    const b = join(configDir, 'b.conf');
    const bBefore = await identity(b);

    const changed = await deployFiles([{ ...entries[0]!, content: 'a=2\n' }, entries[1]!], ctx);
    expect(changed.changed).toEqual([a]);
    expect(await readFile(a, 'utf8')).toBe('a=2\n');
    expect(await identity(b)).toBe(bBefore);

    const modeOnly = await deployFiles([{ ...entries[0]!, content: 'a=2\n' }, { ...entries[1]!, mode: '0755' }], ctx);
    expect(modeOnly.changed).toEqual([b]);
    expect((await stat(b)).mode & 0o7777).toBe(0o755);
    expect(await readFile(b, 'utf8')).toBe('b=1\n');
  });

  it('creates missing parent directories at 0755', async () => {
    const target = join(root, 'deep', 'er', 'file.txt');
    const result = await deployFiles([{ path: target, content: 'x', mode: '0644' }], ctx);
    expect(result.changed).toEqual([target]);
    for (const dir of [join(root, 'deep'), join(root, 'deep', 'er')]) {
      const info = await stat(dir);
      expect(info.isDirectory()).toBe(true);
      expect(info.mode & 0o7777).toBe(0o755);
    }
  });

  it('refuses a source that escapes the checkout through .. or an absolute path', async () => {
    const dotdot = await rejection(deployFiles([{ path: 'x', source: '../outside/secret', mode: '0644' }], ctx));
    expect(dotdot).toMatchObject({ index: 0, key: 'source', path: 'x' });
    expect(dotdot.message).toMatch(/^files\[0\]\.source \(x\): .*escapes the checkout/);

    const absolute = await rejection(deployFiles([{ path: 'x', source: join(outside, 'secret'), mode: '0644' }], ctx));
    expect(absolute.message).toMatch(/must be relative to the checkout/);
    expect(await readdir(configDir)).toEqual([]);
  });

  it('refuses a source that escapes the checkout through a symlink, and follows one that stays inside', async () => {
    await symlink(join(outside, 'secret'), join(checkoutDir, 'innocent.conf'));
    await mkdir(join(checkoutDir, 'sub'));
    await symlink(outside, join(checkoutDir, 'sub', 'dir'));
    const viaFile = await rejection(deployFiles([{ path: 'x', source: 'innocent.conf', mode: '0644' }], ctx));
    expect(viaFile).toMatchObject({ index: 0, key: 'source' });
    expect(viaFile.message).toMatch(/escapes the checkout .* through a symlink/);
    const viaDir = await rejection(deployFiles([{ path: 'x', source: 'sub/dir/secret', mode: '0644' }], ctx));
    expect(viaDir.message).toMatch(/through a symlink/);
    expect(await readdir(configDir)).toEqual([]);

    await symlink('nginx.conf', join(checkoutDir, 'current.conf'));
    await deployFiles([{ path: 'ok.conf', source: 'current.conf', mode: '0644' }], ctx);
    expect(await readFile(join(configDir, 'ok.conf'), 'utf8')).toBe('server { listen 8080; }\n');
  });

  it('refuses a missing source before writing any entry', async () => {
    const existing = join(configDir, 'existing.conf');
    await writeFile(existing, 'old\n');
    const before = await identity(existing);
    const error = await rejection(
      deployFiles(
        [
          { path: 'new.conf', content: 'new\n', mode: '0644' },
          { path: 'existing.conf', content: 'changed\n', mode: '0644' },
          { path: 'sub/from-repo.conf', source: 'missing.conf', mode: '0644' },
        ],
        ctx,
      ),
    );
    expect(error).toMatchObject({ index: 2, key: 'source', path: 'sub/from-repo.conf' });
    expect(error.message).toMatch(/"missing.conf" does not exist in the checkout/);
    expect((await readdir(configDir)).sort()).toEqual(['existing.conf']);
    expect(await readFile(existing, 'utf8')).toBe('old\n');
    expect(await identity(existing)).toBe(before);
  });

  it('leaves every target as it was, and no temp file, when a write fails', async () => {
    const existing = join(configDir, 'existing.conf');
    await writeFile(existing, 'old\n');
    // The name itself is legal, but the temp file beside it ("<name>.tmp-pid-n") is too long.
    const longName = 'n'.repeat(250);
    const error = await rejection(
      deployFiles(
        [
          { path: 'existing.conf', content: 'changed\n', mode: '0644' },
          { path: 'fresh/new.conf', content: 'new\n', mode: '0644' },
          { path: longName, content: 'x', mode: '0644' },
        ],
        ctx,
      ),
    );
    expect(error).toMatchObject({ index: 2, path: join(configDir, longName) });
    expect(error.message).toMatch(/no file was changed/);
    expect(await readFile(existing, 'utf8')).toBe('old\n');
    expect((await readdir(configDir)).sort()).toEqual(['existing.conf']);
    expect(await tempFilesUnder(root)).toEqual([]);
  });

  it('refuses bad entries with the index and key', async () => {
    await writeFile(join(root, 'plain'), 'file');
    await mkdir(join(checkoutDir, 'subdir'));
    const cases: [FileEntry, string, RegExp][] = [
      [{ path: 'x', mode: '0644' }, 'content', /exactly one of content and source/],
      [{ path: 'x', content: 'a', source: 'nginx.conf', mode: '0644' }, 'source', /exactly one/],
      [{ path: 'x', content: 'a', mode: 'rw-r--r--' }, 'mode', /octal permission bits/],
      [{ path: 'x', content: 'a', mode: '0944' }, 'mode', /octal/],
      [{ path: 'x', source: '.', mode: '0644' }, 'source', /names the checkout itself/],
      [{ path: 'x', source: '', mode: '0644' }, 'source', /source is empty/],
      [{ path: 'x', source: 'subdir', mode: '0644' }, 'source', /not a regular file/],
      [{ path: join(root, 'plain', 'x'), content: 'a', mode: '0644' }, 'path', /not a directory/],
      [{ path: configDir, content: 'a', mode: '0644' }, 'path', /is a directory/],
    ];
    for (const [entry, key, message] of cases) {
      const error = await rejection(deployFiles([{ path: 'fine', content: 'ok', mode: '0644' }, entry], ctx));
      expect(error, JSON.stringify(entry)).toMatchObject({ index: 1, key });
      expect(error.message).toMatch(message);
    }
    const duplicate = await rejection(
      deployFiles(
        [
          { path: 'same', content: 'a', mode: '0644' },
          { path: join(configDir, 'same'), content: 'b', mode: '0644' },
        ],
        ctx,
      ),
    );
    expect(duplicate.message).toMatch(/also written by files\[0\]/);
    expect(await readdir(configDir)).toEqual([]);
  });

  it('refuses an unknown user or group', async () => {
    const user = await rejection(deployFiles([{ path: 'x', content: 'a', mode: '0644', owner: 'no-such-user-hq' }], ctx));
    expect(user).toMatchObject({ index: 0, key: 'owner' });
    expect(user.message).toMatch(/unknown user "no-such-user-hq" \(not in \/etc\/passwd\)/);
    const group = await rejection(deployFiles([{ path: 'x', content: 'a', mode: '0644', group: 'no-such-group-hq' }], ctx));
    expect(group).toMatchObject({ index: 0, key: 'group' });
    expect(group.message).toMatch(/unknown group "no-such-group-hq"/);
    expect(await readdir(configDir)).toEqual([]);
  });

  describe.runIf(isRoot)('as root', () => {
    it('sets owner and group by name and by id, and rewrites when only ownership differs', async () => {
      const groupName = await nobodyGroup();
      const byName = join(configDir, 'by-name');
      const byId = join(configDir, 'by-id');
      const entries: FileEntry[] = [
        { path: 'by-name', content: 'n', mode: '0640', owner: 'nobody', ...(groupName ? { group: groupName } : {}) },
        { path: 'by-id', content: 'i', mode: '0640', owner: String(NOBODY), group: String(NOBODY) },
      ];
      expect((await deployFiles(entries, ctx)).changed).toEqual([byName, byId]);
      for (const file of [byName, byId]) {
        const info = await stat(file);
        expect([info.uid, info.gid, info.mode & 0o7777]).toEqual([NOBODY, groupName ? NOBODY : 0, 0o640]);
      }
      expect((await deployFiles(entries, ctx)).changed).toEqual([]);

      await chown(byId, 0, 0);
      expect((await deployFiles(entries, ctx)).changed).toEqual([byId]);
      expect((await stat(byId)).uid).toBe(NOBODY);
    });

    it('keeps the ownership of a file whose owner is not managed when rewriting it', async () => {
      const file = join(configDir, 'kept');
      await writeFile(file, 'old');
      await chmod(file, 0o644);
      await chown(file, NOBODY, NOBODY);
      expect((await deployFiles([{ path: 'kept', content: 'new', mode: '0644' }], ctx)).changed).toEqual([file]);
      const info = await stat(file);
      expect([info.uid, info.gid]).toEqual([NOBODY, NOBODY]);
      expect(await readFile(file, 'utf8')).toBe('new');
    });

    it('applies setuid bits even though chown clears them', async () => {
      const file = join(configDir, 'tool');
      await deployFiles([{ path: 'tool', content: '#!/bin/sh\n', mode: '4750', owner: 'nobody' }], ctx);
      expect((await stat(file)).mode & 0o7777).toBe(0o4750);
    });
  });

  describe.runIf(!isRoot)('as an ordinary user', () => {
    it('refuses to give a file to another user, naming the file and key', async () => {
      const error = await rejection(deployFiles([{ path: 'x', content: 'a', mode: '0644', owner: 'root' }], ctx));
      expect(error).toMatchObject({ index: 0, key: 'owner', path: 'x' });
      expect(error.message).toMatch(/^files\[0\]\.owner \(x\): cannot give the file to uid 0/);
      expect(error.message).toMatch(/not root/);
      expect(await readdir(configDir)).toEqual([]);
    });

    it('accepts its own uid as owner', async () => {
      const me = String(process.getuid?.());
      const result = await deployFiles([{ path: 'x', content: 'a', mode: '0644', owner: me }], ctx);
      expect(result.changed).toEqual([join(configDir, 'x')]);
    });

    it('refuses a directory it cannot write to', async () => {
      const locked = join(root, 'locked');
      await mkdir(locked, { mode: 0o555 });
      const error = await rejection(deployFiles([{ path: join(locked, 'x'), content: 'a', mode: '0644' }], ctx));
      expect(error).toMatchObject({ key: 'path' });
      expect(error.message).toMatch(/not writable/);
    });
  });
});
