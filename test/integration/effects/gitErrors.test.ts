import { readFileSync, readdirSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkoutCommit,
  classifyGitFailure,
  ensureClone,
  fetchCommit,
  gitProbe,
  headCommit,
} from '../../../src/git/index.js';
import { removeTempDirs } from '../../fixtures/git/tempDirs.js';
import { createRemote, deleteRemote, git, pushCommit, restoreRemote } from '../../fixtures/git/testRepo.js';
import { waitFor } from '../../fixtures/git/waitFor.js';
import { gitRejection, optionsFor } from './gitHelpers.js';

const servers: Server[] = [];
const sockets = new Set<Socket>();

afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  await removeTempDirs();
});

/** A loopback TCP server; `onConnection` decides what a connected client gets. */
async function listen(onConnection: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise((r) => server.close(r));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** PIDs of live processes whose command line contains `needle`. */
function processesMentioning(needle: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) found.push(Number(entry));
    } catch {
      // Exited meanwhile.
    }
  }
  return found;
}

describe('git failures are classified errors, never crashes', () => {
  it('a deleted remote is not-found for probe, clone and fetch, and recovers when restored', async () => {
    const remote = await createRemote({ 'VERSION': '1\n' });
    const opts = optionsFor(remote);
    await ensureClone(opts);
    const second = await pushCommit(remote, { 'VERSION': '2\n' });
    await deleteRemote(remote);

    expect((await gitRejection(gitProbe(opts))).kind).toBe('not-found');
    expect((await gitRejection(fetchCommit(opts, second))).kind).toBe('not-found');
    const fresh = { ...opts, localPath: join(remote.root, 'fresh') };
    expect((await gitRejection(ensureClone(fresh))).kind).toBe('not-found');
    expect(readdirSync(remote.root).filter((n) => n.includes('fresh'))).toEqual([]);

    await restoreRemote(remote);
    expect(await gitProbe(opts)).toBe(second);
    await fetchCommit(opts, second);
    await checkoutCommit(opts, second, { discardLocalChanges: false });
    expect(await headCommit(opts)).toBe(second);
  });

  it('a missing branch is not-found', async () => {
    const remote = await createRemote({ 'VERSION': '1\n' });
    const opts = { ...optionsFor(remote), branch: 'release' };
    expect((await gitRejection(gitProbe(opts))).kind).toBe('not-found');
    expect((await gitRejection(ensureClone(opts))).kind).toBe('not-found');
  });

  it('a commit the remote does not have is not-found', async () => {
    const remote = await createRemote({ 'VERSION': '1\n' });
    const opts = optionsFor(remote);
    await ensureClone(opts);
    const error = await gitRejection(fetchCommit(opts, 'deadbeef'.repeat(5)));
    expect(error.kind).toBe('not-found');
    const unfetched = await gitRejection(checkoutCommit(opts, 'deadbeef'.repeat(5), { discardLocalChanges: false }));
    expect(unfetched.kind).toBe('not-found');
  });

  it('a refused connection is unreachable', async () => {
    const remote = await createRemote({ 'VERSION': '1\n' });
    const opts = { ...optionsFor(remote), remotePath: `http://127.0.0.1:${await closedPort()}/repo.git` };
    const error = await gitRejection(gitProbe(opts));
    expect(error.kind).toBe('unreachable');
  });

  it('a remote asking for credentials is auth, without prompting, and the URL credentials are redacted', async () => {
    const port = await listen((socket) => {
      socket.once('data', () => {
        socket.end(
          'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="git"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
        );
      });
    });
    const remote = await createRemote({ 'VERSION': '1\n' });
    for (const remotePath of [
      `http://127.0.0.1:${port}/repo.git`,
      `http://deploy:s3cretToken@127.0.0.1:${port}/repo.git`,
    ]) {
      const error = await gitRejection(gitProbe({ ...optionsFor(remote), remotePath, timeoutMs: 10_000 }));
      expect(error.kind).toBe('auth');
      expect(`${error.message} ${error.stderr}`).not.toContain('s3cretToken');
    }
  });

  it('a remote that never answers times out and its git processes are killed', async () => {
    const port = await listen(() => undefined);
    const remote = await createRemote({ 'VERSION': '1\n' });
    const remotePath = `http://127.0.0.1:${port}/hanging.git`;
    const started = Date.now();
    const error = await gitRejection(gitProbe({ ...optionsFor(remote), remotePath, timeoutMs: 400 }));
    expect(error.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3000);
    // git and its remote helper (git-remote-http, a child of git) are both gone.
    await waitFor(() => processesMentioning(remotePath).length === 0, { timeoutMs: 2000, what: 'git processes to exit' });
  });

  it('a directory that is not a git checkout is corrupt', async () => {
    const remote = await createRemote({ 'VERSION': '1\n' });
    const opts = optionsFor(remote);
    await mkdir(opts.localPath);
    await writeFile(join(opts.localPath, 'stray.txt'), 'x');
    expect((await gitRejection(ensureClone(opts))).kind).toBe('corrupt');
    expect((await gitRejection(headCommit(opts))).kind).toBe('corrupt');
    expect(readFileSync(join(opts.localPath, 'stray.txt'), 'utf8')).toBe('x');
  });

  it('a checkout with a broken .git is corrupt, for every operation', async () => {
    const remote = await createRemote({ 'VERSION': '1\n' });
    const opts = optionsFor(remote);
    await ensureClone(opts);
    await rm(join(opts.localPath, '.git', 'HEAD'));
    expect((await gitRejection(ensureClone(opts))).kind).toBe('corrupt');
    expect((await gitRejection(headCommit(opts))).kind).toBe('corrupt');
    expect((await gitRejection(fetchCommit(opts, remote.head))).kind).toBe('corrupt');
    expect((await gitRejection(checkoutCommit(opts, remote.head, { discardLocalChanges: true }))).kind).toBe('corrupt');
  });

  it('fetch or checkout without a checkout is corrupt (not a missing git)', async () => {
    const remote = await createRemote({ 'VERSION': '1\n' });
    const opts = optionsFor(remote);
    expect((await gitRejection(fetchCommit(opts, remote.head))).message).toContain('no checkout');
    expect((await gitRejection(checkoutCommit(opts, remote.head, { discardLocalChanges: false }))).kind).toBe('corrupt');
  });

  it('a checkout directory inside another repository is corrupt, not that repository', async () => {
    const remote = await createRemote({ 'VERSION': '1\n' });
    // remote.work is a git work tree; a plain directory inside it must not pass for a checkout.
    const opts = optionsFor(remote, join(remote.work, 'nested', 'app'));
    await mkdir(opts.localPath, { recursive: true });
    await writeFile(join(opts.localPath, 'file.txt'), 'x');
    expect((await gitRejection(ensureClone(opts))).kind).toBe('corrupt');
    expect((await gitRejection(headCommit(opts))).kind).toBe('corrupt');
    expect(await git(['rev-parse', 'HEAD'], remote.work)).toBe(remote.head);
  });

  it('refuses option-like values from a config instead of passing them to git', async () => {
    const remote = await createRemote({ 'VERSION': '1\n' });
    const error = await gitRejection(gitProbe({ ...optionsFor(remote), remotePath: '--upload-pack=touch /tmp/pwned' }));
    expect(error.kind).toBe('unknown');
    expect((await gitRejection(checkoutCommit(optionsFor(remote), '--force', { discardLocalChanges: true }))).kind).toBe('unknown');
  });

  it('a missing git executable is a clear error', async () => {
    const remote = await createRemote({ 'VERSION': '1\n' });
    // A path that is no repository here: the probe has to ask git.
    const error = await gitRejection(gitProbe({ ...optionsFor(remote), remotePath: `${remote.root}/gone.git`, executable: '/nonexistent/git' }));
    expect(error.message).toContain('/nonexistent/git');
  });

  it('classifies the messages git prints for network, auth and corruption failures', () => {
    const cases: Array<[string, string]> = [
      ["fatal: unable to access 'https://h/r.git/': Could not resolve host: h", 'unreachable'],
      ['ssh: connect to host h port 22: Connection refused\nfatal: Could not read from remote repository.', 'unreachable'],
      ['git@h: Permission denied (publickey).\nfatal: Could not read from remote repository.', 'auth'],
      ['Host key verification failed.\nfatal: Could not read from remote repository.', 'auth'],
      ["fatal: unable to access 'https://h/r.git/': The requested URL returned error: 403", 'auth'],
      ["remote: Repository not found.\nfatal: repository 'https://h/r.git/' not found", 'not-found'],
      ['fatal: not a git repository (or any of the parent directories): .git', 'corrupt'],
      ['error: object file .git/objects/ab/cd is empty\nfatal: loose object abcd is corrupt', 'corrupt'],
      ["fatal: Unable to create '/c/.git/index.lock': File exists.", 'corrupt'],
      ['something new', 'unknown'],
    ];
    for (const [stderr, kind] of cases) expect([stderr, classifyGitFailure(stderr)]).toEqual([stderr, kind]);
  });
});
