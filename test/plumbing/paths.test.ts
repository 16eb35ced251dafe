import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  appLogFile,
  appProcessFile,
  appStateFile,
  defaultConfigDir,
  defaultStateDir,
  lockFile,
  safeAppName,
  socketPath,
} from '../../src/daemon/paths.js';

describe('default dirs', () => {
  it('uses system paths for root', () => {
    expect(defaultConfigDir({ HOME: '/root' }, 0)).toBe('/etc/huddle');
    expect(defaultStateDir({ HOME: '/root', XDG_STATE_HOME: '/x' }, 0)).toBe('/var/lib/huddle');
  });

  it('uses XDG dirs for other users, with the XDG defaults', () => {
    expect(defaultConfigDir({ HOME: '/home/ann', XDG_CONFIG_HOME: '/cfg' }, 1000)).toBe('/cfg/huddle');
    expect(defaultStateDir({ HOME: '/home/ann', XDG_STATE_HOME: '/st' }, 1000)).toBe('/st/huddle');
    expect(defaultConfigDir({ HOME: '/home/ann' }, 1000)).toBe('/home/ann/.config/huddle');
    expect(defaultStateDir({ HOME: '/home/ann' }, 1000)).toBe('/home/ann/.local/state/huddle');
  });

  it('ignores a relative XDG value, as the XDG spec says', () => {
    expect(defaultConfigDir({ HOME: '/home/ann', XDG_CONFIG_HOME: 'rel' }, 1000)).toBe('/home/ann/.config/huddle');
  });
});

describe('files in the state dir', () => {
  it('names the socket, lock, state, process and log files', () => {
    expect(socketPath('/s')).toBe('/s/huddle.sock');
    expect(lockFile('/s')).toBe('/s/daemon.lock');
    expect(appStateFile('/s', 'web')).toBe('/s/apps/web.json');
    expect(appProcessFile('/s', 'web')).toBe('/s/apps/web.pid.json');
    expect(appLogFile('/s', 'web')).toBe('/s/logs/web.log');
  });

  it('sanitises app names so no name escapes its dir or collides with another', () => {
    for (const name of ['../etc/passwd', 'a/b', '.hidden', '..', '', 'sp ace', 'é']) {
      const safe = safeAppName(name);
      expect(safe).toMatch(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/);
      expect(path.dirname(appStateFile('/s', name))).toBe('/s/apps');
    }
    expect(safeAppName('a/b')).not.toBe(safeAppName('a_b'));
    expect(safeAppName('a_b')).toBe('a_b');
    expect(safeAppName('x'.repeat(300)).length).toBeLessThan(100);
  });
});
