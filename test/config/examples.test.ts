import { describe, expect, it } from 'vitest';
import { formatConfigError, loadConfigDir, loadConfigFile } from '../../src/config/index.js';

const dir = new URL('../../configs.example/', import.meta.url).pathname;

describe('configs.example', () => {
  it('loads with no errors', () => {
    const result = loadConfigDir(dir, {});
    expect(result.errors.map((e) => formatConfigError(e))).toEqual([]);
    expect(result.apps.map((a) => a.config.name).sort()).toEqual([
      'dashboard', 'inventory', 'original-huddle', 'original-huddle-http', 'proxy', 'seed', 'seed-ini', 'shop',
    ]);
  });

  it('has one example of each health check kind', () => {
    const apps = loadConfigDir(dir, {}).apps;
    expect(apps.some((a) => a.config.health?.http && a.file.endsWith('.json'))).toBe(true);
    expect(apps.some((a) => a.config.health?.tcp && a.file.endsWith('.ini'))).toBe(true);
  });

  it('has a complete example that sets every section and key', () => {
    const result = loadConfigFile(`${dir}complete.ini`, {});
    if (!result.ok) throw new Error(result.errors.map((e) => formatConfigError(e)).join('\n'));
    expect(result.app.config).toStrictEqual({
      name: 'shop',
      depends: ['inventory'],
      reload: 'systemctl reload shop-proxy',
      repository: {
        'remote path': 'https://git.example.com/org/shop.git', 'local path': '/srv/huddle/shop', remote: 'origin',
        branch: 'main', ref: 'v2.4.1', executable: 'git', type: 'git', 'discard local changes': false,
        verify: { 'allowed signers': 'trust/allowed_signers', 'gpg keyring': 'trust/gnupg' },
      },
      timing: { minimum: 30, maximum: 90, watch: true },
      application: {
        start: 'node server.js --port 8080', cwd: '/srv/huddle/shop',
        env: { PORT: '8080', NODE_ENV: 'production', DATABASE_URL: 'postgres://shop:dev@127.0.0.1/shop' },
        'stop signal': 'SIGTERM', 'stop timeout': 10,
        install: 'npm ci --omit=dev', 'install timeout': 600, user: 'shop', group: 'shop',
      },
      health: {
        http: { url: 'http://127.0.0.1:8080/health', status: '200-399', body: 'ok' },
        interval: 10, timeout: 2, retries: 3, 'start period': 5,
      },
      restart: {
        policy: 'on-failure',
        backoff: { first: 0, initial: 1, factor: 2, max: 60, jitter: 0.1, 'reset after': 60 },
        limit: { restarts: 5, window: 60 },
      },
      rollback: { enabled: true, probation: 60 },
      rollout: { 'max concurrent': '10%', 'halt after': 3, 'on etcd loss': 'hold' },
      scripts: {
        'pre-pull': ['echo stopping shop', 'date'],
        'post-pull': ['npm ci --omit=dev', 'node scripts/migrate.js --steps=up,verify'],
        timeout: 300,
      },
      files: [
        { path: '/etc/shop-proxy/shop.conf', source: 'deploy/proxy.conf', mode: '0644', owner: 'root', group: 0 },
        { path: '/etc/shop/shop.env', content: 'NODE_ENV=production\nSHOP_REGION=eu', mode: '0600', owner: 'shop' },
      ],
    });
  });

  it('has a file deployment: files and reload, no application', () => {
    const result = loadConfigFile(`${dir}proxy.json`, { SHOP_PORT: '9000' });
    if (!result.ok) throw new Error(result.errors.map((e) => formatConfigError(e)).join('\n'));
    const { config } = result.app;
    expect(config.application).toBeUndefined();
    expect(config.reload).toBe('nginx -s reload');
    expect(config.files).toEqual([
      { path: '/etc/nginx/conf.d/shop.conf', source: 'nginx/shop.conf', mode: '0644' },
      { path: '/etc/nginx/conf.d/dashboard.conf', source: 'nginx/dashboard.conf', mode: '0640', owner: 'root', group: 'www-data' },
      { path: '/etc/nginx/snippets/upstream.conf', content: 'upstream shop { server 127.0.0.1:9000; }\n', mode: '0644' },
    ]);
  });
});
