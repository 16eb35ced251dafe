import { describe, expect, it } from 'vitest';
import { CLEAN_CHECK_MAX_AGE_MS, CleanCheckMemo } from '../../src/daemon/effects/cleanCheckMemo.js';

describe('CleanCheckMemo: when an update may rely on the poll\'s check for local changes', () => {
  it('stands once, for the same app, checkout and commit, while it is fresh', () => {
    let now = 1_000;
    const memo = new CleanCheckMemo(() => now);
    memo.note('web', '/srv/web', 'c2');
    expect(memo.take('web', '/srv/web', 'c2')).toBe(true);
    // Used up: a retry or a rollback checks again.
    expect(memo.take('web', '/srv/web', 'c2')).toBe(false);

    memo.note('web', '/srv/web', 'c2');
    expect(memo.take('web', '/srv/web', 'c3')).toBe(false);
    memo.note('web', '/srv/web', 'c2');
    expect(memo.take('web', '/srv/other', 'c2')).toBe(false);
    memo.note('web', '/srv/web', 'c2');
    expect(memo.take('api', '/srv/web', 'c2')).toBe(false);

    memo.note('web', '/srv/web', 'c2');
    now += CLEAN_CHECK_MAX_AGE_MS + 1;
    expect(memo.take('web', '/srv/web', 'c2')).toBe(false);
  });
});
