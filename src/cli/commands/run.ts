import type { Command } from 'commander';
import type { Daemon } from '../../daemon/daemon.js';
import { defaultConfigDir, defaultStateDir, resolveDirs } from '../../daemon/paths.js';
import { DAEMON_NODE_FLAGS } from '../../daemon/nodeFlags.js';
import { DEFAULT_INSPECTOR_URL } from '../../inspect/defaults.js';
import type { LogFormat } from '../../log.js';
import { LOG_LEVELS } from '../../logNames.js';
import { addEtcdOptions, fleetOptionsOf, type EtcdFlags } from '../etcdFlags.js';

export interface RunOptions extends EtcdFlags {
  configDir: string;
  stateDir: string;
  logLevel: string;
  logFormat: LogFormat;
  socketGroup?: string;
  inspect?: string | true;
  http?: string;
  httpToken?: string;
  httpAllowRemote?: boolean;
}

/** Runs the daemon in the foreground until SIGTERM/SIGINT; resolves with the exit code. */
export async function runDaemon(options: RunOptions): Promise<number> {
  // The daemon's modules are loaded only to run it, not for every CLI command.
  const [{ Daemon }, { DaemonAlreadyRunningError }] = await Promise.all([
    import('../../daemon/daemon.js'),
    import('../../daemon/lock.js'),
  ]);
  // Installed before the start: apps start inside it, and a SIGTERM meanwhile must still stop them.
  let daemon: Daemon | undefined;
  let stopAsked: string | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    stopAsked = `received ${signal}`;
    void daemon?.stop(stopAsked);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const fleet = fleetOptionsOf(options);
    daemon = await Daemon.start({
      ...resolveDirs(options),
      logLevel: options.logLevel,
      logFormat: options.logFormat,
      ...(options.socketGroup === undefined ? {} : { socketGroup: options.socketGroup }),
      ...(options.inspect === undefined ? {} : { inspect: options.inspect === true ? DEFAULT_INSPECTOR_URL : options.inspect }),
      ...(options.http === undefined ? {} : { http: options.http }),
      ...(options.httpToken === undefined ? {} : { httpToken: options.httpToken }),
      httpAllowRemote: options.httpAllowRemote ?? false,
      ...fleet,
    });
  } catch (error) {
    const message = error instanceof DaemonAlreadyRunningError ? error.message : `huddle: ${(error as Error).message}`;
    process.stderr.write(`${message}\n`);
    return 1;
  }
  if (stopAsked) void daemon.stop(stopAsked);
  const missingFlags = DAEMON_NODE_FLAGS.filter((flag) => !process.execArgv.includes(flag));
  if (missingFlags.length > 0) {
    daemon.logger.info(
      `running without the Node options huddle's launchers give the daemon (${missingFlags.join(' ')}): it holds more memory; the systemd unit of \`huddle startup\` passes them`,
      { event: 'daemon' },
    );
  }
  let exitCode = 0;
  process.on('SIGHUP', () => {
    daemon.logger.info('SIGHUP: reloading configs', { event: 'config' });
    daemon.rescan();
  });
  // A bug in one effect must not take every app down with the daemon: log it and carry on.
  process.on('unhandledRejection', (reason) => {
    daemon.logger.error(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`, { event: 'daemon' });
  });
  process.on('uncaughtException', (error) => {
    daemon.logger.error(`uncaught exception: ${error.stack ?? error.message}`, { event: 'daemon' });
    exitCode = 70;
    void daemon.stop('uncaught exception');
  });
  await daemon.stopped;
  return exitCode;
}

const levels = LOG_LEVELS.join('|');

export function addRunOptions(command: Command): Command {
  return addEtcdOptions(command)
    .option('--config-dir <dir>', 'directory of app configs (*.json, *.ini)', defaultConfigDir())
    .option('--state-dir <dir>', 'state, logs and control socket', defaultStateDir())
    .option('--log-level <level>', `one of ${levels}`, 'info')
    .option('--log-format <format>', 'json | pretty | auto (json when stdout is not a TTY)', 'auto')
    .option('--socket-group <group>', 'let this group use the control socket (mode 0660 instead of 0600)')
    .option('--inspect [url]', `stream the state charts to the Stately inspector (default ${DEFAULT_INSPECTOR_URL})`)
    .option('--http <[host:]port>', 'serve the dashboard (/), /api/status, /api/events and /metrics; loopback unless --http-allow-remote')
    .option('--http-token <token>', 'bearer token every --http request must carry (required off loopback)')
    .option('--http-allow-remote', 'allow --http on a non-loopback address (with --http-token)')
    .option('--node-id <id>', "this node's name in the fleet (default: the host name)")
    .option('--etcd-lease-ttl <seconds>', "how long a dead node's presence and rollout slots outlive it (default 10)");
}

export function registerRun(program: Command): void {
  addRunOptions(program.command('run'))
    .description('run the daemon: deploy, supervise and health-check every configured app')
    .action(async (opts: RunOptions) => {
      process.exitCode = await runDaemon(opts);
    });
}
