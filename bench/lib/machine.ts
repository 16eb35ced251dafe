import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { processCount } from './idleProcesses.js';

function firstLine(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0]!.trim();
  } catch {
    return 'unknown';
  }
}

function cpuModel(): string {
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  } catch {
    return os.cpus()[0]?.model ?? 'unknown';
  }
}

/** The machine the figures were taken on, one `key: value` per line. */
export function describeMachine(): string[] {
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  return [
    `cores (nproc): ${firstLine('nproc', [])}`,
    `CPU: ${cpuModel()}`,
    `RAM: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `Node: ${process.version}`,
    `kernel: ${os.type()} ${os.release()}`,
    `git: ${firstLine('git', ['--version'])}`,
    `python: ${firstLine('python3', ['--version'])}`,
    // Node 20 parses the file it names at every start (nodejs/node#40524): ~40 ms per Node process.
    `NODE_EXTRA_CA_CERTS: ${process.env.NODE_EXTRA_CA_CERTS ? `set (${process.env.NODE_EXTRA_CA_CERTS})` : 'not set'}`,
    `load average at start (1/5/15 min): ${load}`,
    `processes at start (/proc, kernel threads included): ${processCount()}`,
  ];
}

export function loadAverage(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(' ');
}
