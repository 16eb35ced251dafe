import { afterEach, describe, expect, it } from 'vitest';
import { checkoutCommit, ensureClone, fetchCommit, gitProbe, headCommit } from '../../../src/git/index.js';
import { removeTempDirs } from '../../fixtures/git/tempDirs.js';
import { createRemote, pushCommit } from '../../fixtures/git/testRepo.js';
import { optionsFor } from './gitHelpers.js';

afterEach(removeTempDirs);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

// Not a benchmark (bench/ is): a guard against a hot path slipping back to something slow,
// such as simple-git's 50 ms wait on silent commands. Bounds are loose for slow CI machines.
describe('git hot path cost on a local bare repository', () => {
  it('an unchanged probe and a fetch + checkout each take a few git processes and little time', async () => {
    const remote = await createRemote({ 'VERSION': '1\n', 'server.mjs': 'console.log(1)\n' });
    const opts = optionsFor(remote);
    await ensureClone(opts);

    const probes: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t = performance.now();
      await gitProbe(opts);
      probes.push(performance.now() - t);
    }
    const updates: number[] = [];
    for (let i = 0; i < 7; i++) {
      const commit = await pushCommit(remote, { 'VERSION': `${i + 2}\n` });
      const t = performance.now();
      await fetchCommit(opts, commit);
      await checkoutCommit(opts, commit, { discardLocalChanges: false });
      updates.push(performance.now() - t);
      expect(await headCommit(opts)).toBe(commit);
    }
    console.info(
      `git timing: unchanged probe median ${median(probes).toFixed(1)} ms (min ${Math.min(...probes).toFixed(1)}); ` +
        `fetch+checkout median ${median(updates).toFixed(1)} ms (min ${Math.min(...updates).toFixed(1)})`,
    );
    expect(median(probes)).toBeLessThan(500);
    expect(median(updates)).toBeLessThan(1500);
  });
});
