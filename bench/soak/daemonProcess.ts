import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getStatus } from '../../src/control/client.js';
import type { StatusJson } from '../../src/control/types.js';
import { DAEMON_NODE_FLAGS } from '../../src/daemon/nodeFlags.js';
import { eachLine, parseLogLine } from '../lib/lines.js';
import { MARKER_VAR, type World } from './world.js';

// The real daemon, run as production runs it: `node <DAEMON_NODE_FLAGS> dist/src/cli/main.js run`
// as its own process (in its own process group, so a Ctrl-C on the terminal reaches the soak, which
// stops it in order).

export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/** A line of the daemon's JSON log (or `{ raw }` for one that is not JSON). */
export type DaemonLine = Record<string, unknown> & { message?: string; app?: string; raw?: string };

export interface DaemonExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The soak killed or stopped it: any other exit is a violation. */
  expected: boolean;
}

const KEPT_LINES = 4000;

export class DaemonProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly startedAt = Date.now();
  readyAt: number | null = null;
  exit: DaemonExit | null = null;
  readonly exited: Promise<DaemonExit>;
  private expectExit = false;

  constructor(
    private readonly world: World,
    /** Each log line, and where the last KEPT_LINES are kept for a failure report. */
    private readonly onLine: (line: DaemonLine) => void,
    readonly recent: string[],
  ) {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
    const args = [...DAEMON_NODE_FLAGS, CLI, 'run', '--config-dir', world.configDir, '--state-dir', world.stateDir, '--log-format', 'json'];
    this.child = spawn(process.execPath, args, {
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', NO_COLOR: '1', [MARKER_VAR]: world.marker },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    if (this.child.pid === undefined) throw new Error('could not start the daemon');
    this.pid = this.child.pid;
    this.collect(this.child.stdout, false);
    this.collect(this.child.stderr, true);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal, expected: this.expectExit };
        resolve(this.exit);
      });
    });
  }

  get running(): boolean {
    return this.exit === null;
  }

  private collect(stream: NodeJS.ReadableStream | null, isStderr: boolean): void {
    if (!stream) return;
    eachLine(stream, (text) => {
      if (!text) return;
      this.recent.push(`[${this.pid}${isStderr ? ' stderr' : ''}] ${text}`);
      if (this.recent.length > KEPT_LINES) this.recent.splice(0, this.recent.length - KEPT_LINES);
      this.onLine(isStderr ? { raw: text } : (parseLogLine(text) as DaemonLine));
    });
  }

  status(timeoutMs = 3000): Promise<StatusJson> {
    return getStatus(this.world.stateDir, { timeoutMs });
  }

  /** Resolves once the control socket answers; rejects if the daemon exits first or too late. */
  async ready(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exit) throw new Error(`the daemon exited before it was ready (code ${this.exit.code}, signal ${this.exit.signal})`);
      try {
        await this.status(1000);
        this.readyAt = Date.now();
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`the daemon did not answer on its control socket within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** kill -9 of the daemon alone: its apps run on, as after a crash. */
  kill9(): void {
    this.expectExit = true;
    if (this.running) process.kill(this.pid, 'SIGKILL');
  }

  /** SIGTERM: the daemon stops its apps in order and exits 0. */
  terminate(): void {
    this.expectExit = true;
    if (this.running) process.kill(this.pid, 'SIGTERM');
  }

  async waitExit(timeoutMs: number): Promise<DaemonExit | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
