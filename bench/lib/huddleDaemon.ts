import { spawn, type ChildProcess } from 'node:child_process';
import { eachLine } from './lines.js';
import { DAEMON_NODE_FLAGS } from '../../src/daemon/nodeFlags.js';
import { getStatus, sendCommand } from '../../src/control/client.js';
import type { AppStatus } from '../../src/control/types.js';
import { MARKER, MARKER_VAR, onCleanup } from './cleanup.js';
import { assertBuilt, huddleCli } from './paths.js';
import { inCgroup, serviceCgroupProcs } from './serviceCgroup.js';
import { waitFor } from './waitFor.js';
import type { Workspace } from './workspace.js';

/** A state change of one app, from the daemon's log, stamped when the bench read it. */
export interface StateChange {
  /** performance.now() when the line arrived on the daemon's stdout. */
  at: number;
  app: string;
  from: string | null;
  to: string;
}

export interface DaemonOptions {
  /** More `huddle run` arguments (`--http 127.0.0.1:N`). */
  args?: string[];
  /** Options for Node itself, before the script (`--max-semi-space-size=1`): for experiments. */
  nodeArgs?: string[];
  /**
   * `debug` to see every state change: a poll of a running app (healthy → fetching → healthy) is
   * logged at debug level only. Default: huddle's default (info), for scenarios that measure cost.
   */
  logLevel?: 'debug' | 'info';
  /** More environment variables for the daemon (and so for git and the apps). */
  env?: Record<string, string>;
}

/** Node options for every daemon of this run (run.ts --node-args), to measure a proposed change. */
// As production launches it (the systemd unit, the bin, the cron line): see src/daemon/nodeFlags.ts.
let defaultNodeArgs: string[] = [...DAEMON_NODE_FLAGS];
export function setDaemonNodeArgs(args: string[]): void {
  defaultNodeArgs = args;
}

let daemonsStarted = 0;

/** `huddle run` on a workspace, as its own process, as in production; its state changes are kept. */
export class HuddleDaemon {
  readonly pid: number;
  readonly changes: StateChange[] = [];
  private readonly child: ChildProcess;
  private readonly stderr: string[] = [];
  private exited = false;
  private readonly exit: Promise<void>;
  readonly stop: () => Promise<void>;

  constructor(readonly ws: Workspace, options: DaemonOptions = {}) {
    assertBuilt();
    const args = [
      ...(options.nodeArgs ?? defaultNodeArgs), huddleCli(), 'run', '--config-dir', ws.configDir, '--state-dir', ws.stateDir,
      '--log-format', 'json', ...(options.logLevel ? ['--log-level', options.logLevel] : []), ...(options.args ?? []),
    ];
    const [command, argv] = inCgroup(serviceCgroupProcs(`huddle-${++daemonsStarted}`), process.execPath, args);
    this.child = spawn(command, argv, {
      env: { ...process.env, NO_COLOR: '1', GIT_TERMINAL_PROMPT: '0', ...options.env, [MARKER_VAR]: MARKER },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (this.child.pid === undefined) throw new Error('could not start the huddle daemon');
    this.pid = this.child.pid;
    this.exit = new Promise((resolve) => this.child.once('exit', () => resolve()));
    void this.exit.then(() => (this.exited = true));
    eachLine(this.child.stdout!, (line) => this.onLine(line));
    eachLine(this.child.stderr!, (line) => this.stderr.push(line));
    this.stop = onCleanup(() => this.terminate());
  }

  private onLine(line: string): void {
    const at = performance.now();
    if (!line.includes('"state"')) return;
    try {
      const entry = JSON.parse(line) as { event?: unknown; app?: unknown; from?: unknown; to?: unknown };
      if (entry.event === 'state' && typeof entry.app === 'string' && typeof entry.to === 'string') {
        this.changes.push({ at, app: entry.app, from: typeof entry.from === 'string' ? entry.from : null, to: entry.to });
      }
    } catch {
      // Not a JSON line: not a state change.
    }
  }

  /** SIGTERM (the daemon stops its apps in order), SIGKILL if it is not gone within 30 s. */
  private async terminate(): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const late = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    await this.exit;
    clearTimeout(late);
  }

  /** Resolves once the control socket answers. */
  async ready(timeoutMs = 20_000): Promise<this> {
    await waitFor(
      async () => {
        if (this.exited) throw new Error(`the daemon exited: ${this.stderr.slice(-5).join('\n')}`);
        return getStatus(this.ws.stateDir, { timeoutMs: 5000 });
      },
      { timeoutMs, intervalMs: 50, what: 'the huddle daemon to answer on its control socket' },
    );
    return this;
  }

  async apps(): Promise<AppStatus[]> {
    return (await getStatus(this.ws.stateDir, { timeoutMs: 10_000 })).apps;
  }

  /** Wait until every app named is healthy with a process (on `commit` when given); resolves with their status. */
  async waitHealthy(names: readonly string[], timeoutMs: number, commit?: string): Promise<Map<string, AppStatus>> {
    let pending: string[] = [...names];
    const healthy = new Map<string, AppStatus>();
    try {
      await waitFor(
        async () => {
          if (this.exited) throw new Error('the daemon exited');
          for (const app of await this.apps()) {
            if (app.state === 'healthy' && app.pid !== null && (commit === undefined || app.commit === commit)) healthy.set(app.name, app);
          }
          pending = names.filter((name) => !healthy.has(name));
          return pending.length === 0;
        },
        { timeoutMs, intervalMs: 100, what: 'the apps to be healthy' },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; not yet: ${pending.slice(0, 5).join(', ')}${pending.length > 5 ? '…' : ''}`);
    }
    return healthy;
  }

  /** `huddle poll <app>` through the control socket, as the CLI sends it. */
  async poll(app: string): Promise<void> {
    const result = await sendCommand(this.ws.stateDir, app, 'poll', {}, { timeoutMs: 10_000 });
    if (!result.ok) throw new Error(`poll ${app}: ${result.message}`);
  }

  /** The first change of `app` into `to` at or after `since`. */
  changeAfter(app: string, to: string, since: number): StateChange | undefined {
    return this.changes.find((c) => c.app === app && c.to === to && c.at >= since);
  }
}
