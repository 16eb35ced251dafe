import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GitOptions } from '../../../src/git/index.js';
import { fetchBranchHead, gitProbe, ensureClone } from '../../../src/git/index.js';
import { credentialsOutOfArgs } from '../../../src/git/urlCredentials.js';
import { startHttpGitServer, type HttpGitServer } from '../../fixtures/git/httpGitServer.js';
import { makeTempDir, removeTempDirs } from '../../fixtures/git/tempDirs.js';
import { createRemote, pushCommit } from '../../fixtures/git/testRepo.js';

// A remote URL's credentials must not show in any process's command line (`ps` shows it to every
// local user): neither git's nor that of the helper git starts (git-remote-http).

const USER = 'deploy';
// Characters that must be percent-encoded in a URL, to check they reach the server decoded.
const PASSWORD = 'pw for@test/%+:42';

let server: HttpGitServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await removeTempDirs();
});

/** Command lines of every process holding `secret` now (read while git waits on the server). */
function commandLinesWith(secret: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmdline.includes(secret) || cmdline.includes(encodeURIComponent(secret))) found.push(`${name}: ${cmdline.replaceAll(encodeURIComponent(secret), '***')}`);
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

describe('credentials in a remote URL', () => {
  it('reach an HTTP remote through the environment, never through a command line', async () => {
    const remote = await createRemote({ 'app.txt': 'v1' });
    const seen: string[] = [];
    server = await startHttpGitServer(remote.root, { user: USER, password: PASSWORD, onAuthorized: () => seen.push(...commandLinesWith(PASSWORD)) });
    const checkout = join(await makeTempDir(), 'checkout');
    const opts: GitOptions = { executable: 'git', remotePath: server.url('remote.git', { user: USER, password: PASSWORD }), localPath: checkout, remote: 'origin', branch: 'main' };

    expect(await gitProbe(opts)).toBe(remote.head);
    await ensureClone(opts);
    const next = await pushCommit(remote, { 'app.txt': 'v2' });
    expect(await gitProbe(opts)).toBe(next);
    await fetchBranchHead(opts, next);
    expect(readFileSync(join(checkout, '.git', 'refs', 'remotes', 'origin', 'main'), 'utf8').trim()).toBe(next);

    // Probes, clone and fetch each went through the authentication, and no command line held it.
    expect(server.authorized).toBeGreaterThanOrEqual(4);
    expect(seen).toEqual([]);
    // The checkout keeps the remote's address without them.
    const config = readFileSync(join(checkout, '.git', 'config'), 'utf8');
    expect(config).toContain('127.0.0.1');
    expect(config).not.toContain(encodeURIComponent(PASSWORD));
  });

  it('a token given as the user name reaches the remote the same way', async () => {
    const remote = await createRemote({ 'app.txt': 'v1' });
    const token = 'tok3n-for-test';
    const seen: string[] = [];
    server = await startHttpGitServer(remote.root, { user: token, password: '', onAuthorized: () => seen.push(...commandLinesWith(token)) });
    const remotePath = server.url('remote.git').replace('http://', `http://${token}@`);
    expect(await gitProbe({ executable: 'git', remotePath, localPath: join(remote.root, 'none'), remote: 'origin', branch: 'main' })).toBe(remote.head);
    expect(server.authorized).toBeGreaterThan(0);
    expect(seen).toEqual([]);
  });

  it('a wrong password still fails as an authentication failure', async () => {
    const remote = await createRemote({ 'app.txt': 'v1' });
    server = await startHttpGitServer(remote.root, { user: USER, password: PASSWORD });
    const opts: GitOptions = { executable: 'git', remotePath: server.url('remote.git', { user: USER, password: 'wrong' }), localPath: join(remote.root, 'none'), remote: 'origin', branch: 'main' };
    await expect(gitProbe(opts)).rejects.toMatchObject({ kind: 'auth' });
    expect(server.authorized).toBe(0);
  });
});

describe('credentialsOutOfArgs', () => {
  it('takes user and password out of an http(s) URL, decoded, and adds its helper after configuration git already has', () => {
    const out = credentialsOutOfArgs(['ls-remote', 'https://me:p%40ss@example.org/r.git', 'refs/heads/main'], { GIT_CONFIG_COUNT: '2' });
    expect(out.args).toEqual(['ls-remote', 'https://example.org/r.git', 'refs/heads/main']);
    expect(out.env).toMatchObject({
      HUDDLE_GIT_USERNAME: 'me',
      HUDDLE_GIT_PASSWORD: 'p@ss',
      GIT_CONFIG_KEY_2: 'credential.helper',
      GIT_CONFIG_VALUE_2: '',
      GIT_CONFIG_KEY_3: 'credential.helper',
      GIT_CONFIG_COUNT: '4',
    });
    expect(String(out.env.GIT_CONFIG_VALUE_3)).not.toContain('p@ss');
  });

  it('an empty user with a token, as redaction knows it', () => {
    expect(credentialsOutOfArgs(['https://:tok@host/r'], {}).env).toMatchObject({ HUDDLE_GIT_USERNAME: '', HUDDLE_GIT_PASSWORD: 'tok' });
  });

  it('a token as the user name (the README\'s `https://${GIT_TOKEN}@host` form), leaving configured helpers first', () => {
    const out = credentialsOutOfArgs(['https://t0ken@host/r'], {});
    expect(out.args).toEqual(['https://host/r']);
    expect(out.env).toMatchObject({ HUDDLE_GIT_USERNAME: 't0ken', HUDDLE_GIT_PASSWORD: '', GIT_CONFIG_KEY_0: 'credential.helper', GIT_CONFIG_COUNT: '1' });
    expect(out.env.GIT_CONFIG_VALUE_0).not.toBe('');
  });

  it('leaves ssh URLs and paths alone', () => {
    for (const url of ['ssh://git@host/r.git', 'git@host:r.git', '/srv/r.git', 'https://host:8443/a@b']) {
      expect(credentialsOutOfArgs([url], {})).toEqual({ args: [url], env: {} });
    }
  });
});
