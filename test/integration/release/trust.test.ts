// Trusted commits end to end: with `repository.verify`, only a tip signed by a trusted key is
// deployed. An unsigned or untrusted tip is never checked out: the running version keeps serving
// (same process), the status says why and names the commit, and a later trusted commit deploys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutHead } from '../../fixtures/daemon/checkout.js';
import { cleanUpAfterEach } from '../../fixtures/daemon/cleanup.js';
import { startDaemon } from '../../fixtures/daemon/daemonProcess.js';
import { pidServing, versionServed, waitForVersion } from '../../fixtures/daemon/http.js';
import { addApp, makeWorkspace, type Section } from '../../fixtures/daemon/workspace.js';
import { waitFor } from '../../fixtures/git/waitFor.js';
import type { Signature } from '../../fixtures/keys/signedCommits.js';
import {
  assertSigningTools, killGpgAgents, makeGpgKey, makeSshKey, makeTrustedKeyring, signingTestsSkipped, writeAllowedSigners,
} from '../../fixtures/keys/signingKeys.js';
import { isTransition, probeServerSource } from '../../fixtures/release/appConfig.js';
import { createSignedRemote, pushSigned } from '../../fixtures/release/signedRemote.js';

const skipped = await signingTestsSkipped();

cleanUpAfterEach();

interface TrustSetup {
  trusted: Signature;
  stranger: Signature;
  /** `repository.verify` trusting `trusted` only. */
  verify: Section;
}

/** v1 signed by the trusted key serves; an unsigned and then a stranger-signed v2 are refused; trusted v4 deploys. */
async function trustStory({ trusted, stranger, verify }: TrustSetup): Promise<void> {
  const ws = await makeWorkspace();
  const source = await probeServerSource();
  const remote = await createSignedRemote({ 'server.mjs': source, VERSION: '1\n' }, trusted);
  // The app's own remote (unsigned) is not used: the config points at the signed one.
  const web = await addApp(ws, 'web', { kind: 'probe', config: { repository: { 'remote path': remote.bare, verify } } });
  const signed = remote.head;
  const daemon = await startDaemon(ws);
  const serving = await daemon.waitHealthy('web', signed);
  expect(await checkoutHead(web.checkout)).toBe(signed);

  for (const [signature, why] of [
    [null, 'is not signed'],
    [stranger, 'is signed by a key that is not trusted'],
  ] as const) {
    const refused = await pushSigned(remote, { VERSION: '2\n' }, signature, `v2 ${why}`);
    const app = await daemon.waitForApp(
      'web',
      (a) => a.error !== null && a.error.includes(refused.slice(0, 8)),
      `an error naming ${refused.slice(0, 8)}`,
    );
    expect(app.error).toContain(`commit ${refused.slice(0, 8)} ${why}`);
    // Refused while the old version runs on: same commit, same process, still healthy.
    expect(app.commit).toBe(signed);
    expect(app.pid).toBe(serving.pid);
    expect(['healthy', 'fetching']).toContain(app.state);
    expect(await pidServing(web.url)).toBe(serving.pid);
    expect(await versionServed(web.url)).toBe('1');
    // Never checked out: the working tree stays at the trusted commit.
    expect(await checkoutHead(web.checkout)).toBe(signed);
    // The daemon's log names the commit and says why.
    expect(daemon.logs((l) => l.app === 'web' && JSON.stringify(l).includes(`commit ${refused.slice(0, 8)} ${why}`)).length).toBeGreaterThan(0);
  }
  // Refusals never stopped the app.
  expect(daemon.logs(isTransition('web', 'stopping'))).toHaveLength(0);
  expect(daemon.logs(isTransition('web', 'updating'))).toHaveLength(1);

  const next = await pushSigned(remote, { VERSION: '4\n' }, trusted, 'v4, signed again');
  await daemon.waitHealthy('web', next);
  await waitForVersion(web.url, '4');
  expect(await checkoutHead(web.checkout)).toBe(next);
  // The refusal is history once a trusted commit runs.
  await waitFor(async () => (await daemon.app('web'))?.error === null, { timeoutMs: 5000, what: 'the error to clear' });
}

describe.skipIf(skipped)(`trusted commits end to end${skipped ? ` (${skipped})` : ''}`, () => {
  beforeAll(async () => {
    await assertSigningTools();
  });

  afterAll(async () => {
    await killGpgAgents();
  });

  it('SSH: a signed commit deploys, unsigned and untrusted ones are refused, a later signed one deploys', async () => {
    const [trusted, stranger] = await Promise.all([makeSshKey(), makeSshKey()]);
    const allowedSigners = await writeAllowedSigners([trusted]);
    await trustStory({ trusted: { ssh: trusted }, stranger: { ssh: stranger }, verify: { 'allowed signers': allowedSigners } });
  });

  it('OpenPGP: a signed commit deploys, unsigned and untrusted ones are refused, a later signed one deploys', async () => {
    const [trusted, stranger] = await Promise.all([makeGpgKey(), makeGpgKey('Stranger <s@huddle.invalid>')]);
    try {
      const keyring = await makeTrustedKeyring([trusted]);
      await trustStory({ trusted: { gpg: trusted }, stranger: { gpg: stranger }, verify: { 'gpg keyring': keyring } });
    } finally {
      // Before cleanUpAfterEach removes the homes: gpgconf needs them to find the agents.
      await killGpgAgents();
    }
  });
});
