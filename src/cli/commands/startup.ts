import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { DAEMON_NODE_FLAGS } from '../../daemon/nodeFlags.js';

export interface UnitOptions {
  node: string;
  cli: string;
  configDir: string;
  stateDir: string;
  user?: string;
}

/**
 * A unit for a daemon that supervises other processes. The choices that matter:
 * - KillMode=mixed: on stop, systemd signals only huddle, which stops every app in reverse
 *   dependency order within each app's stop timeout; whatever is left when TimeoutStopSec runs out
 *   is killed with the whole cgroup, so nothing outlives the service.
 * - Restart=always: huddle recovers the apps its previous run left (recorded PID + start time).
 * - network-online: the first poll needs the remote.
 */
export function systemdUnit(o: UnitOptions): string {
  const quote = (s: string) => (/[\s"\\]/.test(s) ? `"${s.replace(/["\\]/g, '\\$&')}"` : s);
  const exec = [o.node, ...DAEMON_NODE_FLAGS, o.cli, 'run', '--config-dir', o.configDir, '--state-dir', o.stateDir, '--log-format', 'json']
    .map(quote)
    .join(' ');
  return `[Unit]
Description=huddle: pull-based deployment and supervision of applications from git
After=network-online.target
Wants=network-online.target
StartLimitIntervalSec=0

[Service]
Type=simple
ExecStart=${exec}
ExecReload=/bin/kill -HUP $MAINPID
Restart=always
RestartSec=2
KillMode=mixed
KillSignal=SIGTERM
TimeoutStopSec=120
LimitNOFILE=65536
${o.user ? `User=${o.user}\n` : ''}Environment=NODE_ENV=production

[Install]
WantedBy=multi-user.target
`;
}

const UNIT_PATH = '/etc/systemd/system/huddle.service';

export function registerStartup(program: Command): void {
  program
    .command('startup')
    .description('print a systemd unit that starts the huddle daemon at boot (--install writes and enables it)')
    .option('--config-dir <dir>', 'config directory the unit passes to huddle run', '/etc/huddle')
    .option('--state-dir <dir>', 'state directory the unit passes to huddle run', '/var/lib/huddle')
    .option('--user <user>', 'run the daemon as this user instead of root')
    .option('--install', `write ${UNIT_PATH}, reload systemd and enable the unit (root)`)
    .action((opts: { configDir: string; stateDir: string; user?: string; install?: boolean }) => {
      const cli = path.resolve(fileURLToPath(new URL('../main.js', import.meta.url)));
      const unit = systemdUnit({
        node: process.execPath,
        cli,
        configDir: path.resolve(opts.configDir),
        stateDir: path.resolve(opts.stateDir),
        user: opts.user,
      });
      if (!opts.install) {
        process.stdout.write(unit);
        return;
      }
      if (process.getuid?.() !== 0) {
        process.stderr.write(`huddle startup --install: must run as root to write ${UNIT_PATH}\n`);
        process.exitCode = 1;
        return;
      }
      writeFileSync(UNIT_PATH, unit, { mode: 0o644 });
      try {
        // Loaded by the one command that needs it, not by every start of the CLI.
        const { execFileSync } = process.getBuiltinModule('node:child_process');
        execFileSync('systemctl', ['daemon-reload'], { stdio: 'inherit' });
        execFileSync('systemctl', ['enable', 'huddle.service'], { stdio: 'inherit' });
      } catch (err) {
        process.stderr.write(`huddle startup --install: wrote ${UNIT_PATH} but systemctl failed: ${(err as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`installed and enabled ${UNIT_PATH}; start it now with: systemctl start huddle\n`);
    });
}
