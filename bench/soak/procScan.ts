import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { envOf } from '../lib/procEnv.js';
import { MARKER_VAR, type World } from './world.js';

// One pass over /proc: the processes that belong to the soak's world (they carry its marker in
// their environment, or run in or name a path under its temp dir), with what the invariants need.

export interface SoakProcess {
  pid: number;
  ppid: number;
  argv: string[];
  cwd: string | null;
  /** HUDDLE_APP in its environment: set on an app and on its hooks. */
  app: string | null;
  /** Descends from the soak itself (the live daemon, or a git command of the soak). */
  ours: boolean;
}

export interface ProcSnapshot {
  at: number;
  processes: SoakProcess[];
}

function readStat(pid: string): { ppid: number; zombie: boolean } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), zombie: fields[0] === 'Z' };
  } catch {
    return null;
  }
}

function readEnv(pid: string): Map<string, string> | null {
  return envOf(Number(pid));
}

function readArgv(pid: string): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

function readCwd(pid: string): string | null {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return null;
  }
}

function isUnder(file: string | null, root: string): boolean {
  return file !== null && (file === root || file.startsWith(`${root}/`));
}

export function scanProcesses(root: string, markerVar: string, marker: string, soakPid = process.pid): ProcSnapshot {
  const parents = new Map<number, number>();
  const candidates: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    // A zombie has exited: only its parent's wait is missing, it holds no port and runs nothing.
    if (!stat || stat.zombie) continue;
    parents.set(Number(entry), stat.ppid);
    candidates.push(entry);
  }
  const descendsFromSoak = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
      if (p === soakPid) return true;
      const parent = parents.get(p);
      if (parent === undefined) return false;
      p = parent;
    }
    return false;
  };
  const processes: SoakProcess[] = [];
  for (const entry of candidates) {
    const pid = Number(entry);
    if (pid === soakPid) continue;
    const env = readEnv(entry);
    const argv = readArgv(entry);
    const cwd = readCwd(entry);
    const marked = env?.get(markerVar) === marker;
    if (!marked && !isUnder(cwd, root) && !argv.some((arg) => arg.includes(root))) continue;
    processes.push({ pid, ppid: parents.get(pid) ?? 0, argv, cwd, app: env?.get('HUDDLE_APP') ?? null, ours: descendsFromSoak(pid) });
  }
  return { at: Date.now(), processes };
}

/** The app's server itself (node server.mjs), not a shell, a hook or its install step. */
export function isServerOf(proc: SoakProcess, app: string): boolean {
  const program = proc.argv[0] ?? '';
  return proc.app === app && /(^|\/)node$/.test(program) && proc.argv.includes('server.mjs');
}

/** PIDs of the app's live servers (normally one). */
export function serverPids(world: World, app: string): number[] {
  return scanProcesses(world.root, MARKER_VAR, world.marker)
    .processes.filter((p) => isServerOf(p, app))
    .map((p) => p.pid);
}

export function describeProcess(proc: SoakProcess): string {
  return `pid ${proc.pid} (ppid ${proc.ppid}, app ${proc.app ?? '-'}, cwd ${proc.cwd ?? '?'}): ${proc.argv.join(' ')}`;
}
