import type { AppPersisted } from '../../machines/app.types.js';

const COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

function commitOrNull(value: unknown, key: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' && COMMIT.test(value)) return value;
  throw new Error(`${key}: not a commit id`);
}

/**
 * Check a state file's content before the chart trusts it: a file from an older or newer huddle,
 * or edited by hand, is rejected (and then ignored) rather than half-applied.
 */
export function parsePersisted(value: unknown): AppPersisted {
  if (typeof value !== 'object' || value === null) throw new Error('not an object');
  const v = value as Record<string, unknown>;
  const bad = v.badCommits ?? [];
  if (!Array.isArray(bad)) throw new Error('badCommits: not a list');
  const restarts = (v.restarts ?? { total: 0, recent: 0 }) as Record<string, unknown>;
  const count = (n: unknown, key: string) => {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new Error(`restarts.${key}: not a count`);
    return n;
  };
  return {
    currentCommit: commitOrNull(v.currentCommit, 'currentCommit'),
    lastGoodCommit: commitOrNull(v.lastGoodCommit, 'lastGoodCommit'),
    remoteHead: commitOrNull(v.remoteHead, 'remoteHead'),
    badCommits: bad.map((c, i) => commitOrNull(c, `badCommits[${i}]`)).filter((c): c is string => c !== null),
    deploying: commitOrNull(v.deploying, 'deploying'),
    restarts: { total: count(restarts.total, 'total'), recent: count(restarts.recent, 'recent') },
  };
}
