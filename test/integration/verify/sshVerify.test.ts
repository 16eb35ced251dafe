import { execFileSync } from 'node:child_process';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitError } from '../../../src/git/gitError.js';
import { verifyCommit } from '../../../src/git/verifyCommit.js';
import { makeTempDir, removeTempDirs } from '../../fixtures/git/tempDirs.js';
import type { SigningRepo } from '../../fixtures/keys/signedCommits.js';
import { commit, makeSigningRepo, tamperedCopy } from '../../fixtures/keys/signedCommits.js';
import type { SshKey } from '../../fixtures/keys/signingKeys.js';
import { assertSigningTools, makeSshKey, signingTestsSkipped, writeAllowedSigners } from '../../fixtures/keys/signingKeys.js';
import { rejection } from '../../fixtures/keys/rejection.js';

const skipped = await signingTestsSkipped();

describe.skipIf(skipped)(`verifyCommit with SSH signatures${skipped ? ` (${skipped})` : ''}`, () => {
  let repo: SigningRepo;
  let trusted: SshKey;
  let stranger: SshKey;
  let allowedSignersFile: string;

  beforeAll(async () => {
    await assertSigningTools();
    [trusted, stranger] = await Promise.all([makeSshKey(), makeSshKey()]);
    allowedSignersFile = await writeAllowedSigners([trusted]);
    repo = await makeSigningRepo();
  });

  afterAll(async () => {
    await removeTempDirs();
  });

  it('accepts a commit signed by a key in the allowed signers file', async () => {
    const id = await commit(repo, { ssh: trusted });
    await expect(verifyCommit(repo.opts, id, { allowedSignersFile })).resolves.toEqual({
      commit: id,
      format: 'ssh',
      signer: 'deploy@huddle.invalid',
      key: trusted.fingerprint,
    });
    // An abbreviated id names the same commit, and the full one comes back.
    await expect(verifyCommit(repo.opts, id.slice(0, 10), { allowedSignersFile })).resolves.toMatchObject({ commit: id });
  });

  it('refuses an unsigned commit as unsigned', async () => {
    const id = await commit(repo, null);
    const e = await rejection(verifyCommit(repo.opts, id, { allowedSignersFile }));
    expect(e.reason).toBe('unsigned');
    expect(e.commit).toBe(id);
    expect(e.message).toBe(`commit ${id.slice(0, 8)} is not signed`);
  });

  it('refuses a commit signed by a key that is not in the allowed signers file', async () => {
    const id = await commit(repo, { ssh: stranger });
    const e = await rejection(verifyCommit(repo.opts, id, { allowedSignersFile }));
    expect(e.reason).toBe('untrusted');
    expect(e.message).toContain(`commit ${id.slice(0, 8)} is signed by a key that is not trusted`);
    expect(e.message).toContain(stranger.fingerprint);
  });

  it('refuses a trusted signature over altered content as a bad signature', async () => {
    const id = await tamperedCopy(repo, await commit(repo, { ssh: trusted }));
    const e = await rejection(verifyCommit(repo.opts, id, { allowedSignersFile }));
    expect(e.reason).toBe('bad-signature');
    expect(e.message).toMatch(/does not verify/);
  });

  it('refuses an SSH-signed commit when only a gpg keyring is trusted', async () => {
    const id = await commit(repo, { ssh: trusted });
    const gpgHome = await makeTempDir('huddle-gpg-');
    await writeFile(join(gpgHome, 'pubring.kbx'), '');
    const e = await rejection(verifyCommit(repo.opts, id, { gpgHome }));
    expect(e.reason).toBe('untrusted');
    expect(e.message).toMatch(/no allowed signers file is configured/);
  });

  describe('a broken trust configuration is refused clearly', () => {
    it('no trust at all', async () => {
      const id = await commit(repo, { ssh: trusted });
      const e = await rejection(verifyCommit(repo.opts, id, {}));
      expect(e.reason).toBe('no-trust-configured');
      expect(e.message).toMatch(/no allowed signers file or gpg keyring is configured/);
    });

    it('an allowed signers file of garbage, naming the file and the line', async () => {
      const id = await commit(repo, { ssh: trusted });
      const file = join(await makeTempDir('huddle-signers-'), 'allowed_signers');
      await writeFile(file, '# fleet keys\n\nthis is not a key file\n');
      const e = await rejection(verifyCommit(repo.opts, id, { allowedSignersFile: file }));
      expect(e.reason).toBe('no-trust-configured');
      expect(e.message).toContain(`allowed signers file ${file} line 3`);
    });

    it('an allowed signers file whose key was tampered with', async () => {
      const id = await commit(repo, { ssh: trusted });
      const file = join(await makeTempDir('huddle-signers-'), 'allowed_signers');
      const [type, blob] = trusted.publicKey.split(' ');
      // Damage the start of the key, where its type is encoded.
      await writeFile(file, `deploy@huddle.invalid ${type} AAAAB${(blob ?? '').slice(5)}\n`);
      const e = await rejection(verifyCommit(repo.opts, id, { allowedSignersFile: file }));
      expect(e.reason).toBe('no-trust-configured');
      expect(e.message).toMatch(/line 1: the ssh-ed25519 key is not valid/);
    });

    it('an empty or missing allowed signers file', async () => {
      const id = await commit(repo, { ssh: trusted });
      const dir = await makeTempDir('huddle-signers-');
      await writeFile(join(dir, 'empty'), '# nobody yet\n');
      const empty = await rejection(verifyCommit(repo.opts, id, { allowedSignersFile: join(dir, 'empty') }));
      expect(empty.reason).toBe('no-trust-configured');
      expect(empty.message).toMatch(/lists no keys/);
      const missing = await rejection(verifyCommit(repo.opts, id, { allowedSignersFile: join(dir, 'nope') }));
      expect(missing.reason).toBe('no-trust-configured');
      expect(missing.message).toMatch(/does not exist/);
    });

    it('options in the allowed signers file are accepted', async () => {
      const id = await commit(repo, { ssh: trusted });
      const file = join(await makeTempDir('huddle-signers-'), 'allowed_signers');
      await writeFile(file, `"ops@huddle.invalid,deploy@huddle.invalid" namespaces="git,file" ${trusted.publicKey} laptop\n`);
      await expect(verifyCommit(repo.opts, id, { allowedSignersFile: file })).resolves.toMatchObject({
        format: 'ssh',
        key: trusted.fingerprint,
      });
    });
  });

  it('a missing ssh-keygen is a GitError (the check could not run), not a verdict on the commit', async () => {
    const id = await commit(repo, { ssh: trusted });
    const bin = await makeTempDir('huddle-bin-');
    // Only git on PATH: git finds its own helpers, but not ssh-keygen.
    await symlink(execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim(), join(bin, 'git'));
    const previous = process.env.PATH;
    process.env.PATH = bin;
    try {
      await expect(verifyCommit(repo.opts, id, { allowedSignersFile })).rejects.toSatisfy(
        (e) => e instanceof GitError && e.kind === 'unknown' && /ssh-keygen could not be run/.test(e.message),
      );
    } finally {
      process.env.PATH = previous;
    }
  });

  it('a commit that is not in the checkout is a GitError, not a verdict', async () => {
    await expect(verifyCommit(repo.opts, 'deadbeef'.repeat(5), { allowedSignersFile })).rejects.toSatisfy(
      (e) => e instanceof GitError && e.kind === 'not-found',
    );
    await expect(verifyCommit(repo.opts, '--upload-pack=x', { allowedSignersFile })).rejects.toBeInstanceOf(GitError);
  });
});
