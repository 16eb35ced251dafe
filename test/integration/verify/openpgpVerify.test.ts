import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCommit } from '../../../src/git/verifyCommit.js';
import { makeTempDir, removeTempDirs } from '../../fixtures/git/tempDirs.js';
import type { SigningRepo } from '../../fixtures/keys/signedCommits.js';
import { commit, makeSigningRepo, tamperedCopy } from '../../fixtures/keys/signedCommits.js';
import type { GpgKey, SshKey } from '../../fixtures/keys/signingKeys.js';
import {
  assertSigningTools,
  killGpgAgents,
  makeGpgKey,
  makeSshKey,
  makeTrustedKeyring,
  signingTestsSkipped,
  writeAllowedSigners,
} from '../../fixtures/keys/signingKeys.js';
import { rejection } from '../../fixtures/keys/rejection.js';

const skipped = await signingTestsSkipped();

describe.skipIf(skipped)(`verifyCommit with OpenPGP signatures${skipped ? ` (${skipped})` : ''}`, () => {
  let repo: SigningRepo;
  let trusted: GpgKey;
  let stranger: GpgKey;
  let gpgHome: string;
  let sshKey: SshKey;
  let allowedSignersFile: string;

  beforeAll(async () => {
    await assertSigningTools();
    [trusted, stranger, sshKey] = await Promise.all([
      makeGpgKey('Huddle Test <t@huddle.invalid>'),
      makeGpgKey('Someone Else <x@huddle.invalid>'),
      makeSshKey(),
    ]);
    gpgHome = await makeTrustedKeyring([trusted]);
    allowedSignersFile = await writeAllowedSigners([sshKey]);
    repo = await makeSigningRepo();
  });

  afterAll(async () => {
    await killGpgAgents();
    await removeTempDirs();
  });

  it('accepts a commit signed by a key in the trusted keyring', async () => {
    const id = await commit(repo, { gpg: trusted });
    await expect(verifyCommit(repo.opts, id, { gpgHome })).resolves.toEqual({
      commit: id,
      format: 'openpgp',
      signer: 'Huddle Test <t@huddle.invalid>',
      key: trusted.fingerprint,
    });
  });

  it('refuses an unsigned commit as unsigned', async () => {
    const id = await commit(repo, null);
    const e = await rejection(verifyCommit(repo.opts, id, { gpgHome }));
    expect(e.reason).toBe('unsigned');
    expect(e.message).toBe(`commit ${id.slice(0, 8)} is not signed`);
  });

  it('refuses a commit signed by a key that is not in the trusted keyring', async () => {
    const id = await commit(repo, { gpg: stranger });
    const e = await rejection(verifyCommit(repo.opts, id, { gpgHome }));
    expect(e.reason).toBe('untrusted');
    expect(e.message).toContain(`commit ${id.slice(0, 8)} is signed by a key that is not trusted`);
    // gpg names the key by its long id: the fingerprint's last 16 digits.
    expect(e.message).toContain(stranger.fingerprint.slice(-16));
  });

  it('refuses a trusted signature over altered content as a bad signature', async () => {
    const id = await tamperedCopy(repo, await commit(repo, { gpg: trusted }));
    const e = await rejection(verifyCommit(repo.opts, id, { gpgHome }));
    expect(e.reason).toBe('bad-signature');
  });

  it('never falls back to the daemon user\'s own keyring', async () => {
    const id = await commit(repo, { gpg: trusted });
    const previous = process.env.GNUPGHOME;
    // Even with the signer's own home as the process's keyring, only `gpgHome` counts.
    process.env.GNUPGHOME = trusted.home;
    try {
      const e = await rejection(verifyCommit(repo.opts, id, { allowedSignersFile }));
      expect(e.reason).toBe('untrusted');
      expect(e.message).toMatch(/no gpg keyring is configured/);
    } finally {
      if (previous === undefined) delete process.env.GNUPGHOME;
      else process.env.GNUPGHOME = previous;
    }
  });

  it('refuses a keyring dir that is missing or holds no keyring', async () => {
    const id = await commit(repo, { gpg: trusted });
    const root = await makeTempDir('huddle-gpg-');
    const missing = await rejection(verifyCommit(repo.opts, id, { gpgHome: join(root, 'nope') }));
    expect(missing.reason).toBe('no-trust-configured');
    expect(missing.message).toMatch(/is not a directory/);
    await mkdir(join(root, 'empty'));
    const empty = await rejection(verifyCommit(repo.opts, id, { gpgHome: join(root, 'empty') }));
    expect(empty.reason).toBe('no-trust-configured');
    expect(empty.message).toMatch(/has no public keyring/);
  });

  describe('with both an allowed signers file and a keyring', () => {
    it('accepts a commit trusted by either', async () => {
      const trust = { allowedSignersFile, gpgHome };
      const bySsh = await commit(repo, { ssh: sshKey });
      await expect(verifyCommit(repo.opts, bySsh, trust)).resolves.toMatchObject({ format: 'ssh', key: sshKey.fingerprint });
      const byGpg = await commit(repo, { gpg: trusted });
      await expect(verifyCommit(repo.opts, byGpg, trust)).resolves.toMatchObject({
        format: 'openpgp',
        key: trusted.fingerprint,
      });
    });

    it('still refuses unsigned and untrusted commits', async () => {
      const trust = { allowedSignersFile, gpgHome };
      expect((await rejection(verifyCommit(repo.opts, await commit(repo, null), trust))).reason).toBe('unsigned');
      const byStranger = await commit(repo, { gpg: stranger });
      expect((await rejection(verifyCommit(repo.opts, byStranger, trust))).reason).toBe('untrusted');
      const byOtherSsh = await commit(repo, { ssh: await makeSshKey() });
      expect((await rejection(verifyCommit(repo.opts, byOtherSsh, trust))).reason).toBe('untrusted');
    });

    it('a trusted commit after a refused one is accepted again', async () => {
      const trust = { allowedSignersFile, gpgHome };
      await rejection(verifyCommit(repo.opts, await commit(repo, { gpg: stranger }), trust));
      await expect(verifyCommit(repo.opts, await commit(repo, { gpg: trusted }), trust)).resolves.toMatchObject({
        signer: 'Huddle Test <t@huddle.invalid>',
      });
    });
  });
});
