import { describe, expect, it } from 'vitest';
import { formatConfigError, loadConfigFile } from '../../src/config/index.js';
import { config, errors, ini, json } from './helpers.js';

// The original (Python) huddle's sections: watchdog, scripts and timing as it read them.

describe('watchdog', () => {
  it('becomes a TCP check when the host is not a URL, as the original socket probe', () => {
    const c = config(ini('[watchdog]\nperiod = 10\nhost = 127.0.0.1\nport = 5000\nrequest = ping\nresponse = OK'), 'ini');
    expect(c.health).toEqual({
      tcp: { host: '127.0.0.1', port: 5000, send: 'ping', expect: 'OK' },
      interval: 10, timeout: 2, retries: 3, 'start period': 10,
    });
    expect(c).not.toHaveProperty('watchdog');
  });

  it('fills in the original defaults: 127.0.0.1, port 80, request "watchdog", period 60', () => {
    const c = config(json({ watchdog: {} }), 'json');
    expect(c.health).toEqual({
      tcp: { host: '127.0.0.1', port: 80, send: 'watchdog' },
      interval: 60, timeout: 2, retries: 3, 'start period': 60,
    });
  });

  it('becomes an HTTP check when the host is an http:// URL, with the port put into the URL', () => {
    const c = config(json({ watchdog: { period: 30, host: 'http://127.0.0.1', port: '8888' } }), 'json');
    expect(c.health).toEqual({
      http: { url: 'http://127.0.0.1:8888/', status: '200-399' },
      interval: 30, timeout: 2, retries: 3, 'start period': 30,
    });
  });

  it('keeps the path of an https:// URL and its own port when no port is given', () => {
    const c = config(json({ watchdog: { host: 'https://example.com:8443/health' } }), 'json');
    expect(c.health?.http).toEqual({ url: 'https://example.com:8443/health', status: '200-399' });
  });

  it('ignores request and response for an HTTP check, as the original did', () => {
    const c = config(ini('[watchdog]\nhost = http://localhost\nport: 8080\nresponse = OK'), 'ini');
    expect(c.health?.http).toEqual({ url: 'http://localhost:8080/', status: '200-399' });
  });

  it('accepts the sample\'s string port and period in JSON, as the original ran int() and float() on them', () => {
    const c = config(json({ watchdog: { period: '60', host: '127.0.0.1', port: '8888', request: 'watchdog', response: 'OK' } }), 'json');
    expect(c.health?.tcp).toEqual({ host: '127.0.0.1', port: 8888, send: 'watchdog', expect: 'OK' });
    expect(c.health?.interval).toBe(60);
  });

  it('treats an empty response as "connection opened", as the original passed every reply then', () => {
    const c = config(ini('[watchdog]\nport = 5000\nresponse ='), 'ini');
    expect(c.health?.tcp).toEqual({ host: '127.0.0.1', port: 5000, send: 'watchdog' });
  });

  it('treats a host that only contains "http" as a host name', () => {
    const c = config(ini('[watchdog]\nhost = httpbin.local\nport = 80'), 'ini');
    expect(c.health?.tcp?.host).toBe('httpbin.local');
  });

  it('loads the same from JSON and INI', () => {
    const a = config(json({ watchdog: { period: 10, host: '127.0.0.1', port: 5000 } }), 'json');
    const b = config(ini('[watchdog]\nperiod = 10\nhost = 127.0.0.1\nport = 5000'), 'ini');
    expect(b).toStrictEqual(a);
  });

  it('cannot be combined with [health]', () => {
    expect(errors(json({ watchdog: { port: 1 }, health: { tcp: { port: 2 } } }), 'json')).toEqual([
      'app.json: [watchdog]: cannot be combined with [health]: [watchdog] is the original huddle\'s health check; keep only one',
    ]);
  });
});

describe('scripts', () => {
  it('reads a JSON list of commands', () => {
    const c = config(json({ scripts: { 'pre-pull': ['/bin/ls /home/ubuntu/ > /tmp/values.txt', '/bin/ls /etc/'], 'post-pull': ['sudo reboot'] } }), 'json');
    expect(c.scripts).toEqual({ 'pre-pull': ['/bin/ls /home/ubuntu/ > /tmp/values.txt', '/bin/ls /etc/'], 'post-pull': ['sudo reboot'], timeout: 300 });
  });

  it('reads a JSON string as one command, never a list of characters', () => {
    const c = config(json({ scripts: { 'post-pull': 'sudo reboot, now' } }), 'json');
    expect(c.scripts['post-pull']).toEqual(['sudo reboot, now']);
  });

  it('splits an INI value at commas, as the original did', () => {
    const c = config(ini('[scripts]\npre-pull = ls -a, mkdir mydir\npost-pull = sudo reboot'), 'ini');
    expect(c.scripts['pre-pull']).toEqual(['ls -a', 'mkdir mydir']);
    expect(c.scripts['post-pull']).toEqual(['sudo reboot']);
  });

  it('reads an INI list one command per continuation line, keeping commas', () => {
    const c = config(ini('[scripts]\npost-pull =\n    echo a,b\n\n    ; a comment\n    make all\ntimeout: 20'), 'ini');
    expect(c.scripts).toEqual({ 'pre-pull': [], 'post-pull': ['echo a,b', 'make all'], timeout: 20 });
  });

  it('reads empty lists as no commands', () => {
    expect(config(json({ scripts: { 'pre-pull': [], 'post-pull': '' } }), 'json').scripts['post-pull']).toEqual([]);
    expect(config(ini('[scripts]\npre-pull =\npost-pull: ,'), 'ini').scripts['pre-pull']).toEqual([]);
  });
});

describe('timing', () => {
  it('defaults to 60 s without a section', () => {
    expect(config(json({}), 'json').timing).toEqual({ minimum: 60, maximum: 60, watch: true });
  });

  it('is fixed when only minimum is given', () => {
    expect(config(ini('[timing]\nminimum = 10'), 'ini').timing).toEqual({ minimum: 10, maximum: 10, watch: true });
  });

  it('allows fractions', () => {
    expect(config(json({ timing: { minimum: 0.5, maximum: 1.5 } }), 'json').timing).toEqual({ minimum: 0.5, maximum: 1.5, watch: true });
  });

  it('uses 60 or maximum, whichever is smaller, when only maximum is given', () => {
    expect(config(json({ timing: { maximum: 300 } }), 'json').timing).toEqual({ minimum: 60, maximum: 300, watch: true });
    expect(config(json({ timing: { maximum: 5 } }), 'json').timing).toEqual({ minimum: 5, maximum: 5, watch: true });
  });

  it('accepts numbers written as text in JSON, as the original ran int() on them', () => {
    expect(config(json({ timing: { minimum: '2', maximum: '6' } }), 'json').timing).toEqual({ minimum: 2, maximum: 6, watch: true });
  });
});

describe('repository', () => {
  it('uses the original defaults: remote origin, branch master, type git', () => {
    const c = config('{"repository": {"remote path": "https://github.com/slightlynybbled/dummy.git", "local path": "/home/ubuntu/git_example"}}', 'json');
    expect(c.repository).toEqual({
      'remote path': 'https://github.com/slightlynybbled/dummy.git',
      'local path': '/home/ubuntu/git_example',
      remote: 'origin', branch: 'master', executable: 'git', type: 'git', 'discard local changes': false,
    });
    expect(c.application).toBeUndefined();
    expect(c.health).toBeUndefined();
  });

  it('accepts the original\'s "type: git" line', () => {
    expect(config('[repository]\nremote path: x\nlocal path: y\ntype: git\n', 'ini').repository.type).toBe('git');
  });

  it('reads type in any case, as the original lowercased it', () => {
    expect(config('[repository]\nremote path: x\nlocal path: y\ntype: Git\n', 'ini').repository.type).toBe('git');
    expect(config('{"repository": {"remote path": "x", "local path": "y", "type": "GIT"}}', 'json').repository.type).toBe('git');
    expect(config('[application]\nstart = x\nstop signal = sigint\n[repository]\nremote path: x\nlocal path: y\n', 'ini').application?.['stop signal']).toBe('SIGINT');
  });
});

describe('files written for the original huddle', () => {
  const dir = new URL('../fixtures/config/original/', import.meta.url).pathname;

  it('load unchanged', () => {
    for (const name of ['win32-demo.ini', 'sample.ini', 'sample.json']) {
      const result = loadConfigFile(`${dir}${name}`, {});
      expect(result.ok ? 'ok' : result.errors.map((e) => formatConfigError(e))).toBe('ok');
    }
  });

  it('map the original sample\'s sections', () => {
    const ini = loadConfigFile(`${dir}sample.ini`, {});
    const json = loadConfigFile(`${dir}sample.json`, {});
    if (!ini.ok || !json.ok) throw new Error('expected both to load');
    expect(ini.app.config.scripts['pre-pull']).toEqual(['ls -a', 'mkdir mydir']);
    expect(ini.app.config.health?.tcp).toEqual({ host: '127.0.0.1', port: 5000, send: 'watchdog' });
    expect(ini.app.config.timing).toEqual({ minimum: 2, maximum: 6, watch: true });
    expect(json.app.config.health?.tcp).toEqual({ host: '127.0.0.1', port: 8888, send: 'watchdog', expect: 'OK' });
    expect(json.app.config.scripts).toEqual({ 'pre-pull': [], 'post-pull': [], timeout: 300 });
  });

  it('explain the sections the original reserved or ignored', () => {
    const result = loadConfigFile(`${dir}with-test-section.json`, {});
    expect(result.ok ? [] : result.errors.map((e) => formatConfigError(e))).toEqual([
      'with-test-section.json: [test]: not supported: the original huddle reserved [test] but never implemented it (an app with it did not run); remove it',
      'with-test-section.json: [application] start: required',
      'with-test-section.json: [application] executable: unknown key; the command that starts the app is "start" (the original huddle ignored "executable" here)',
    ]);
  });
});
