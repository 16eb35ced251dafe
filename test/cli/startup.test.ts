// `huddle startup`: a systemd unit fit for a supervisor of other processes.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { systemdUnit } from '../../src/cli/commands/startup.js';

const cli = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

describe('huddle startup', () => {
  it('stops huddle alone first (it stops its apps in order), then the whole cgroup', () => {
    const unit = systemdUnit({ node: '/usr/bin/node', cli: '/opt/huddle/main.js', configDir: '/etc/huddle', stateDir: '/var/lib/huddle' });
    expect(unit).toContain('ExecStart=/usr/bin/node --max-semi-space-size=1 --lite-mode --no-expose-wasm /opt/huddle/main.js run --config-dir /etc/huddle --state-dir /var/lib/huddle --log-format json');
    expect(unit).toContain('KillMode=mixed');
    expect(unit).toContain('Restart=always');
    expect(unit).toContain('ExecReload=/bin/kill -HUP $MAINPID');
    expect(unit).toContain('WantedBy=multi-user.target');
    expect(unit).not.toContain('User=');
  });

  it('quotes paths with spaces', () => {
    const unit = systemdUnit({ node: '/usr/bin/node', cli: '/opt/my huddle/main.js', configDir: '/etc/huddle', stateDir: '/var/lib/huddle', user: 'huddle' });
    expect(unit).toContain('"/opt/my huddle/main.js"');
    expect(unit).toContain('User=huddle');
  });

  it('prints the unit from the built CLI', () => {
    expect(existsSync(cli), 'run `npm run build` first').toBe(true);
    const out = execFileSync(process.execPath, [cli, 'startup', '--config-dir', '/srv/cfg'], { encoding: 'utf8' });
    expect(out).toMatch(/^\[Unit\]/);
    expect(out).toContain(`${process.execPath} --max-semi-space-size=1 --lite-mode --no-expose-wasm ${cli} run --config-dir /srv/cfg`);
  });
});
