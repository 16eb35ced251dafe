import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { allowedSignersProblem } from './allowedSigners.js';
import { GitError, gitErrorSummary } from './gitError.js';
import { checkoutEnv, checkoutExists, gitIn, gitInRaw } from './gitInCheckout.js';
import type { GitOptions } from './gitOptions.js';
import { timeoutFor } from './gitOptions.js';
import type { GitRun } from './runGit.js';
import { runGitRaw } from './runGit.js';
import { assertCommitId } from './validate.js';

/** Who may sign deployable commits (the config's `repository.verify`). */
export interface CommitTrust {
  /** An SSH allowed-signers file, as git's `gpg.ssh.allowedSignersFile`. */
  allowedSignersFile?: string;
  /** An OpenPGP home directory; every public key in its keyring is trusted. */
  gpgHome?: string;
}

export type SignatureFormat = 'ssh' | 'openpgp';

export interface CommitSigner {
  /** The SSH principal from the allowed-signers file, or the OpenPGP user id. */
  signer: string;
  format: SignatureFormat;
  /** The key: `SHA256:…` for SSH, the primary key's fingerprint for OpenPGP. */
  key: string;
  /** The full id of the commit verified. */
  commit: string;
}

export type CommitNotTrustedReason = 'unsigned' | 'untrusted' | 'bad-signature' | 'no-trust-configured';

/** The commit must not be checked out: it is not signed by a trusted key (or trust is not set up). */
export class CommitNotTrustedError extends Error {
  override readonly name = 'CommitNotTrustedError';
  readonly commit: string;
  readonly reason: CommitNotTrustedReason;
  /** The signature tool's own words, when it ran. */
  readonly detail: string;

  constructor(commit: string, reason: CommitNotTrustedReason, why: string, detail = '') {
    super(`commit ${commit.slice(0, 8)} ${why}`);
    this.commit = commit;
    this.reason = reason;
    this.detail = detail;
  }
}

/**
 * Resolve when `commit` (already in the checkout) carries a good signature by a trusted key,
 * reject with a CommitNotTrustedError when it does not. Runs before checkout: an unsigned or
 * untrusted commit never reaches the working tree. A GitError means the check itself could not
 * run (missing commit, git/gpg/ssh-keygen not installed, timeout): retry, do not deploy.
 */
export async function verifyCommit(opts: GitOptions, commit: string, trust: CommitTrust): Promise<CommitSigner> {
  assertCommitId(commit);
  if (!trust.allowedSignersFile && !trust.gpgHome) {
    throw new CommitNotTrustedError(commit, 'no-trust-configured', 'cannot be verified: no allowed signers file or gpg keyring is configured');
  }
  const full = await fullCommitId(opts, commit);
  // Checked before the commit: a broken trust list must be reported as such, whatever is signed.
  const configProblem = trustProblem(trust);
  if (configProblem) throw new CommitNotTrustedError(full, 'no-trust-configured', `cannot be verified: ${configProblem}`);

  const format = await signatureFormat(opts, full);
  if (format === null) throw new CommitNotTrustedError(full, 'unsigned', 'is not signed');
  if (format === 'x509' || format === 'unknown') {
    const what = format === 'x509' ? 'an X.509 (gpgsm) signature' : 'a signature in an unknown format';
    throw new CommitNotTrustedError(full, 'bad-signature', `carries ${what}; only SSH and OpenPGP signatures are accepted`);
  }
  if (format === 'ssh') {
    if (!trust.allowedSignersFile) {
      throw new CommitNotTrustedError(full, 'untrusted', 'is signed with an SSH key, but no allowed signers file is configured');
    }
    const file = resolve(trust.allowedSignersFile);
    const run = await verifyRun(opts, full, ['-c', `gpg.ssh.allowedSignersFile=${file}`]);
    return sshResult(full, run);
  }
  if (!trust.gpgHome) {
    throw new CommitNotTrustedError(full, 'untrusted', 'is signed with an OpenPGP key, but no gpg keyring is configured');
  }
  // The keyring is the trust list: a key's presence is what trusts it, whatever its owner trust.
  const run = await verifyRun(opts, full, ['-c', 'gpg.minTrustLevel=undefined'], { GNUPGHOME: resolve(trust.gpgHome) });
  return openpgpResult(full, run);
}

async function fullCommitId(opts: GitOptions, commit: string): Promise<string> {
  const run = await gitInRaw(opts, ['rev-parse', '--verify', '--quiet', `${commit}^{commit}`]);
  const id = run.stdout.trim();
  if (run.code !== 0 || id === '') {
    throw new GitError('not-found', `commit ${commit} is not in the checkout at ${opts.localPath}`, {
      exitCode: run.code,
      stderr: run.stderr,
    });
  }
  return id;
}

function trustProblem(trust: CommitTrust): string | null {
  if (trust.allowedSignersFile) {
    const problem = allowedSignersProblem(resolve(trust.allowedSignersFile));
    if (problem) return problem;
  }
  if (trust.gpgHome) {
    const home = resolve(trust.gpgHome);
    // gpg would create a missing home and report every key as unknown; say what is really wrong.
    if (!existsSync(home) || !statSync(home).isDirectory()) return `gpg keyring ${home} is not a directory`;
    if (!existsSync(join(home, 'pubring.kbx')) && !existsSync(join(home, 'pubring.gpg'))) {
      return `gpg keyring ${home} has no public keyring (pubring.kbx)`;
    }
  }
  return null;
}

type SignatureKind = SignatureFormat | 'x509' | 'unknown' | null;

/**
 * The signature's format from the commit's `gpgsig` header, or null when it has none. git picks
 * the verifier the same way (by the armor), whatever gpg.format says.
 */
async function signatureFormat(opts: GitOptions, commit: string): Promise<SignatureKind> {
  const { stdout } = await gitIn(opts, ['cat-file', 'commit', commit]);
  const end = stdout.indexOf('\n\n');
  const headers = (end < 0 ? stdout : stdout.slice(0, end)).split('\n');
  const sig = headers.find((h) => h.startsWith('gpgsig ') || h.startsWith('gpgsig-sha256 '));
  if (sig === undefined) return null;
  const armor = sig.slice(sig.indexOf(' ') + 1).trim();
  if (armor === '-----BEGIN SSH SIGNATURE-----') return 'ssh';
  if (armor === '-----BEGIN PGP SIGNATURE-----') return 'openpgp';
  if (armor === '-----BEGIN SIGNED MESSAGE-----') return 'x509';
  return 'unknown';
}

/** `git verify-commit --raw`; gitInRaw cannot pass GNUPGHOME, so this runs git with the same cwd and env. */
async function verifyRun(
  opts: GitOptions,
  commit: string,
  config: readonly string[],
  env: Record<string, string> = {},
): Promise<GitRun> {
  if (!checkoutExists(opts)) throw new GitError('corrupt', `no checkout at ${opts.localPath} (ensureClone makes it)`);
  const run = await runGitRaw(opts.executable, [...config, 'verify-commit', '--raw', commit], {
    cwd: opts.localPath,
    timeoutMs: timeoutFor(opts, 'local'),
    env: { ...checkoutEnv(opts.localPath), ...env },
    // git refuses a repository owned by someone else: verify as the checkout's owner.
    runAs: opts.runAs,
  });
  // git could not start the signature program: a broken host, not a verdict on the commit.
  const cannotRun = /^(error|fatal): cannot run ([^:\n]+)/m.exec(run.stderr);
  if (cannotRun) {
    throw new GitError('unknown', `cannot verify commit ${commit.slice(0, 8)}: ${cannotRun[2]} could not be run (is it installed?)`, {
      exitCode: run.code,
      stderr: run.stderr,
    });
  }
  return run;
}

// ssh-keygen's words, as git relays them (git parses the same lines).
const SSH_TRUSTED = /^Good "git" signature for (.+) with (\S+) key (\S+)$/m;
const SSH_UNKNOWN_KEY = /^Good "git" signature with (\S+) key (\S+)$/m;

function sshResult(commit: string, run: GitRun): CommitSigner {
  const output = run.stderr + run.stdout;
  const trusted = SSH_TRUSTED.exec(output);
  if (run.code === 0 && trusted) {
    return { commit, format: 'ssh', signer: trusted[1] ?? '', key: trusted[3] ?? '' };
  }
  const unknown = SSH_UNKNOWN_KEY.exec(output);
  if (unknown || /No principal matched/.test(output)) {
    const key = unknown ? ` (${unknown[1] ?? ''} key ${unknown[2] ?? ''})` : '';
    throw new CommitNotTrustedError(commit, 'untrusted', `is signed by a key that is not trusted${key}`, output.trim());
  }
  throw new CommitNotTrustedError(
    commit,
    'bad-signature',
    `has an SSH signature that does not verify: ${gitErrorSummary(output) || `git exit ${run.code}`}`,
    output.trim(),
  );
}

/** gpg's `[GNUPG:] KEYWORD args…` status lines, which git prints with --raw. */
function statusLines(output: string): Array<{ keyword: string; args: string[]; rest: string }> {
  const lines: Array<{ keyword: string; args: string[]; rest: string }> = [];
  for (const line of output.split('\n')) {
    const m = /^\[GNUPG:\] (\S+) ?(.*)$/.exec(line.trim());
    if (m) lines.push({ keyword: m[1] ?? '', args: (m[2] ?? '').split(' '), rest: m[2] ?? '' });
  }
  return lines;
}

function openpgpResult(commit: string, run: GitRun): CommitSigner {
  const output = run.stderr + run.stdout;
  const status = statusLines(output);
  const find = (keyword: string) => status.find((s) => s.keyword === keyword);
  const reject = (reason: CommitNotTrustedReason, why: string): never => {
    throw new CommitNotTrustedError(commit, reason, why, output.trim());
  };
  // Any bad verdict wins, even beside a good one (an armor may hold several signatures).
  const badSig = find('BADSIG');
  if (badSig) reject('bad-signature', `has an OpenPGP signature that does not verify (key ${badSig.args[0] ?? '?'})`);
  const revoked = find('REVKEYSIG');
  if (revoked) reject('untrusted', `is signed by a revoked key (${revoked.args[0] ?? '?'})`);
  const expiredKey = find('EXPKEYSIG');
  if (expiredKey) reject('untrusted', `is signed by an expired key (${expiredKey.args[0] ?? '?'})`);
  const expiredSig = find('EXPSIG');
  if (expiredSig) reject('bad-signature', `has an expired OpenPGP signature (key ${expiredSig.args[0] ?? '?'})`);
  const errSig = find('ERRSIG');
  if (errSig) {
    const noKey = find('NO_PUBKEY');
    if (noKey) reject('untrusted', `is signed by a key that is not trusted (OpenPGP key ${noKey.args[0] ?? errSig.args[0] ?? '?'})`);
    reject('bad-signature', `has an OpenPGP signature that cannot be checked (key ${errSig.args[0] ?? '?'})`);
  }
  const good = find('GOODSIG');
  const valid = find('VALIDSIG');
  if (run.code === 0 && good && valid) {
    // VALIDSIG's tenth field is the primary key's fingerprint (the signing key may be a subkey).
    const key = valid.args[9] ?? valid.args[0] ?? '';
    // gpg percent-escapes odd bytes in the user id.
    const uid = good.rest.slice((good.args[0] ?? '').length).trim();
    const signer = uid.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) || key;
    return { commit, format: 'openpgp', signer, key };
  }
  return reject(
    'bad-signature',
    `has an OpenPGP signature that does not verify: ${gitErrorSummary(output) || `git exit ${run.code}`}`,
  );
}
