import { describe, expect, it } from 'vitest';
import { quickAppCommand } from '../../src/cli/quickCommand.js';

const dir = () => '/default/state';

describe('quickAppCommand: the plain app commands answered without the full parser', () => {
  it('takes `<action> <app>` with at most --state-dir, in either spelling and place', () => {
    expect(quickAppCommand(['poll', 'web'], dir)).toEqual({ action: 'poll', app: 'web', stateDir: '/default/state' });
    expect(quickAppCommand(['restart', 'web', '--state-dir', '/s'], dir)).toEqual({ action: 'restart', app: 'web', stateDir: '/s' });
    expect(quickAppCommand(['stop', '--state-dir=/s', 'web'], dir)).toEqual({ action: 'stop', app: 'web', stateDir: '/s' });
    expect(quickAppCommand(['start', '--state-dir', '/s', 'web'], dir)).toEqual({ action: 'start', app: 'web', stateDir: '/s' });
    expect(quickAppCommand(['deploy', 'web', 'v1.2'], dir)).toEqual({ action: 'deploy', app: 'web', commit: 'v1.2', stateDir: '/default/state' });
  });

  it('leaves everything else to the full program (its help, its errors)', () => {
    for (const argv of [
      [],
      ['status'],
      ['logs', 'web'],
      ['poll'],
      ['poll', 'web', 'extra'],
      ['deploy', 'web'],
      ['poll', 'web', '--help'],
      ['poll', '-h', 'web'],
      ['poll', 'web', '--state-dir'],
      ['poll', 'web', '--state-dir='],
      ['poll', 'web', '--state-dir', '/a', '--state-dir', '/b'],
      ['poll', 'web', '--verbose'],
      ['poll', '--', 'web'],
      ['Poll', 'web'],
    ]) {
      expect(quickAppCommand(argv, dir), argv.join(' ')).toBeUndefined();
    }
  });
});
