import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveAppPaths, type AppConfig } from '../../src/config/index.js';
import { config, errors, ini, json, MINIMAL_INI } from './helpers.js';

// The keys of safe releases: pinning, trusted commits, install, least privilege, rollback and
// file deployments. Each loads from JSON and INI to the identical normalised config.

const repo = { 'remote path': 'https://git.example.com/a.git', 'local path': '/srv/a' };

/** Both spellings must load, to the same config with the same key order. */
function same(fromJson: string, fromIni: string, env: NodeJS.ProcessEnv = {}): AppConfig {
  const a = config(fromJson, 'json', env);
  const b = config(fromIni, 'ini', env);
  expect(b).toStrictEqual(a);
  expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  return a;
}

describe('repository.ref and repository.verify', () => {
  it('loads a pinned ref', () => {
    const c = same(json({ repository: { ...repo, ref: 'v1.4.2' } }), ini('ref = v1.4.2'));
    expect(c.repository.ref).toBe('v1.4.2');
    expect(config(json({ repository: { ...repo, ref: '3f2a9c1d0e' } }), 'json').repository.ref).toBe('3f2a9c1d0e');
    expect(config(ini('ref = refs/tags/release-2024.06'), 'ini').repository.ref).toBe('refs/tags/release-2024.06');
  });

  it('follows the branch when no ref is set', () => {
    expect(config(ini(''), 'ini').repository).not.toHaveProperty('ref');
  });

  it('refuses refs git would misread', () => {
    for (const ref of ['-x', 'a..b', 'v1~1', 'HEAD^', 'a:b', 'a b', 'x.lock', 'x/', '/x', '.x', 'a\tb', 'a@{1}']) {
      expect(errors(json({ repository: { ...repo, ref } }), 'json')[0], ref).toMatch(/^app\.json: \[repository\] ref: must be a tag or a commit id/);
    }
  });

  it('loads either kind of trusted key, or both', () => {
    const ssh = same(json({ repository: { ...repo, verify: { 'allowed signers': 'keys/allowed' } } }),
      ini('[repository.verify]\nallowed signers = keys/allowed'));
    expect(ssh.repository.verify).toEqual({ 'allowed signers': 'keys/allowed' });
    const both = same(json({ repository: { ...repo, verify: { 'gpg keyring': '/etc/huddle/gnupg', 'allowed signers': '/etc/huddle/signers' } } }),
      ini('[Repository.Verify]\nGPG Keyring = /etc/huddle/gnupg\nallowed signers: /etc/huddle/signers'));
    expect(both.repository.verify).toEqual({ 'allowed signers': '/etc/huddle/signers', 'gpg keyring': '/etc/huddle/gnupg' });
    expect(config(ini(''), 'ini').repository).not.toHaveProperty('verify');
  });
});

describe('application install, user and group', () => {
  it('loads the install command and its timeout, 600 s by default', () => {
    const c = same(json({ application: { start: 'node s.js', install: 'npm ci', 'install timeout': 120 } }),
      ini('[application]\nstart = node s.js\ninstall = npm ci\ninstall timeout = 120'));
    expect(c.application?.install).toBe('npm ci');
    expect(c.application?.['install timeout']).toBe(120);
    const d = config(ini('[application]\nstart = x'), 'ini');
    expect(d.application).not.toHaveProperty('install');
    expect(d.application?.['install timeout']).toBe(600);
  });

  it('loads user and group as names, and numeric ids as numbers however they are written', () => {
    const named = same(json({ application: { start: 'x', user: 'www-data', group: 'web' } }),
      ini('[application]\nstart = x\nuser = www-data\ngroup = web'));
    expect([named.application?.user, named.application?.group]).toEqual(['www-data', 'web']);
    const ids = same(json({ application: { start: 'x', user: '1000', group: 0 } }),
      ini('[application]\nstart = x\nuser = 1000\ngroup = 0'));
    expect([ids.application?.user, ids.application?.group]).toEqual([1000, 0]);
    const d = config(ini('[application]\nstart = x'), 'ini');
    expect(d.application).not.toHaveProperty('user');
    expect(d.application).not.toHaveProperty('group');
  });
});

describe('rollback', () => {
  it('is on with a 60 s probation by default', () => {
    expect(config(ini(''), 'ini').rollback).toEqual({ enabled: true, probation: 60 });
  });

  it('loads enabled and probation', () => {
    const c = same(json({ rollback: { enabled: false, probation: 12.5 } }), ini('[rollback]\nenabled = no\nprobation = 12.5'));
    expect(c.rollback).toEqual({ enabled: false, probation: 12.5 });
  });
});

describe('files and reload', () => {
  it('has no files by default', () => {
    const c = config(ini(''), 'ini');
    expect(c.files).toEqual([]);
    expect(c).not.toHaveProperty('reload');
  });

  it('maps [files.<label>] sections to list entries in the order they appear', () => {
    const c = same(`{"reload": "nginx -s reload", ${json({
      files: [
        { path: '/etc/b.conf', source: 'conf/b.conf', mode: '640', owner: 'root', group: 'www-data' },
        { path: 'out/a.txt', content: 'hello ${WHO}\nbye', owner: '0', group: 33 },
        { path: '/etc/c', content: '' },
      ],
    }).slice(1)}`, [
      'reload = nginx -s reload', MINIMAL_INI,
      // Integer-like labels would come first in a plain object; the file's order must win.
      '[files.zeta]', 'path = /etc/b.conf', 'source = conf/b.conf', 'mode = 640', 'owner = root', 'group = www-data',
      '[FILES.10]', 'path = out/a.txt', 'content =', '    hello ${WHO}', '    bye', 'owner = 0', 'group = 33',
      '[files.2]', 'path = /etc/c', 'content =',
    ].join('\n'), { WHO: 'world' });
    expect(c.reload).toBe('nginx -s reload');
    expect(c.files).toStrictEqual([
      { path: '/etc/b.conf', source: 'conf/b.conf', mode: '0640', owner: 'root', group: 'www-data' },
      { path: 'out/a.txt', content: 'hello world\nbye', mode: '0644', owner: 0, group: 33 },
      { path: '/etc/c', content: '', mode: '0644' },
    ]);
  });

  it('accepts a file deployment: files and no application', () => {
    const c = same(json({ files: [{ path: '/etc/motd', content: 'hi' }] }), ini('[files.motd]\npath = /etc/motd\ncontent = hi'));
    expect(c.application).toBeUndefined();
    expect(c.files).toHaveLength(1);
  });

  it('accepts an empty [files] section as no files', () => {
    expect(config(ini('[files]'), 'ini').files).toEqual([]);
  });

  it('accepts sources that stay inside the checkout', () => {
    for (const source of ['a', './conf/nginx.conf', 'a/b/c.txt', 'x..y', '..hidden']) {
      expect(config(json({ files: [{ path: '/etc/a', source }] }), 'json').files[0]?.source).toBe(source);
    }
  });

  it('names a bad entry by its INI label and reports every bad entry', () => {
    expect(errors(ini('[files.one]\npath = /a\ncontent = x\nmode = 8\n[files.two]\npath =\nsource = ../x'), 'ini')).toEqual([
      'app.ini: [files.one] mode: must be an octal file mode such as "0644" or "644", got "8"',
      'app.ini: [files.two] path: must not be empty',
      'app.ini: [files.two] source: must be a relative path inside the checkout: not absolute and without ".." parts, got "../x"',
    ]);
  });

  it('suggests files for a misspelt [file.<label>] section', () => {
    expect(errors(ini('[file.a]\npath = /a\ncontent = x'), 'ini')).toEqual(['app.ini: [file]: unknown section; did you mean "files"?']);
  });
});

describe('a config with every new key', () => {
  it('loads to the identical config from JSON and INI', () => {
    const fixture = (name: string) => readFileSync(new URL(`../fixtures/config/release/${name}`, import.meta.url), 'utf8');
    const c = same(fixture('release.json'), fixture('release.ini'), { PORT: '8080', TOKEN: 'tok' });
    expect(c.files[0]).toStrictEqual({ path: '/etc/release/app.env', content: 'PORT=8080\nTOKEN=tok', mode: '0600', owner: 'release', group: 1001 });
    expect(c.application?.group).toBe(1001);
  });
});

describe('resolveAppPaths', () => {
  const file = '/etc/huddle/apps/web.json';

  it('keeps localPath and cwd, and leaves verify and files out when the config has none', () => {
    const c = config(json({ repository: { ...repo, 'local path': 'checkouts/web' }, application: { start: 'x', cwd: 'run' } }), 'json');
    expect(resolveAppPaths({ file, config: c })).toStrictEqual({ localPath: '/etc/huddle/apps/checkouts/web', cwd: '/etc/huddle/apps/run' });
  });

  it('resolves verify paths against the config file\'s directory', () => {
    const c = config(json({ repository: { ...repo, verify: { 'allowed signers': 'trust/signers', 'gpg keyring': '/var/lib/huddle/gnupg' } } }), 'json');
    expect(resolveAppPaths({ file, config: c }).verify).toStrictEqual({
      allowedSigners: '/etc/huddle/apps/trust/signers', gpgKeyring: '/var/lib/huddle/gnupg',
    });
    const only = config(json({ repository: { ...repo, verify: { 'gpg keyring': 'gnupg' } } }), 'json');
    expect(resolveAppPaths({ file, config: only }).verify).toStrictEqual({ gpgKeyring: '/etc/huddle/apps/gnupg' });
  });

  it('resolves file paths against the config file\'s directory and sources against the checkout', () => {
    const c = config(json({
      repository: { ...repo, 'local path': '../checkouts/web' },
      files: [{ path: 'out/a.conf', source: './nginx/a.conf' }, { path: '/etc/b', content: 'x' }],
    }), 'json');
    expect(resolveAppPaths({ file, config: c }).files).toStrictEqual([
      { path: '/etc/huddle/apps/out/a.conf', source: '/etc/huddle/checkouts/web/nginx/a.conf' },
      { path: '/etc/b' },
    ]);
  });
});
