import { describe, expect, it } from 'vitest';
import { formatDuration, formatStatusTable } from '../../src/control/statusTable.js';
import type { AppStatus } from '../../src/control/types.js';

const now = new Date('2025-06-01T12:00:00Z');

function app(overrides: Partial<AppStatus>): AppStatus {
  return {
    name: 'web',
    state: 'healthy',
    commit: '0123456789abcdef0123456789abcdef01234567',
    lastGoodCommit: null,
    pid: 100,
    restarts: 0,
    health: 'passing',
    since: '2025-06-01T11:00:00Z',
    error: null,
    ...overrides,
  };
}

describe('formatStatusTable', () => {
  it('prints aligned columns, short commits, uptime and dashes for missing values', () => {
    const table = formatStatusTable(
      {
        apps: [
          app({ name: 'worker', state: 'fetching', commit: null, pid: null, restarts: 3, health: '', error: 'remote https://***@git/x unreachable' }),
          app({}),
        ],
      },
      now,
    );
    expect(table).toBe(
      [
        'APP     STATE     COMMIT   UPTIME  RESTARTS  HEALTH   ERROR',
        'web     healthy   0123456  1h 0m   0         passing  -',
        'worker  fetching  -        -       3         -        remote https://***@git/x unreachable',
        '',
      ].join('\n'),
    );
  });

  it('cuts a long or multi-line error to one short line', () => {
    const table = formatStatusTable({ apps: [app({ error: `line one\n${'x'.repeat(200)}` })] }, now);
    const row = table.split('\n')[1] ?? '';
    expect(row).toContain('line one xxx');
    expect(row.endsWith('…')).toBe(true);
    expect(row.length).toBeLessThan(130);
  });

  it('says so when there are no apps', () => {
    expect(formatStatusTable({ apps: [] }, now)).toBe('no apps configured\n');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [45_000, '45s'],
    [12 * 60_000 + 3_000, '12m 3s'],
    [3 * 3_600_000 + 4 * 60_000, '3h 4m'],
    [2 * 86_400_000 + 5 * 3_600_000, '2d 5h'],
    [-5_000, '0s'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
