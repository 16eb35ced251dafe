import { mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { cgroup2Root } from '../../src/process/cgroup.js';
import { MARKER, onFinalCleanup } from './cleanup.js';

// In production each daemon runs as a systemd unit (`huddle startup --install`, `pm2 startup`),
// so in a cgroup of its own with its apps. The bench gives each daemon one too, when it can
// (root and a cgroup v2 mount), so both run as they would there; `--no-cgroups` keeps them in
// the bench's own cgroup, as `npm start` from a shell would.

let wanted = true;
export function setServiceCgroups(on: boolean): void {
  wanted = on;
}

/** Made for this run, removed once every process of it is gone. */
const made = new Map<string, string>();

function ownCgroupPath(): string | undefined {
  try {
    return readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => l.startsWith('0::'))?.slice(3);
  } catch {
    return undefined;
  }
}

/** The `cgroup.procs` file of a cgroup named `name` for this run, or undefined when the bench cannot make one. */
export function serviceCgroupProcs(name: string): string | undefined {
  if (!wanted || process.getuid?.() !== 0) return undefined;
  const existing = made.get(name);
  if (existing !== undefined) return `${existing}/cgroup.procs`;
  const root = cgroup2Root();
  const own = ownCgroupPath();
  if (root === undefined || own === undefined || own.endsWith(' (deleted)')) return undefined;
  const dir = `${root}${own === '/' ? '' : own}/huddle-bench-${MARKER.slice(0, 8)}-${name}`;
  try {
    mkdirSync(dir);
  } catch {
    return undefined;
  }
  made.set(name, dir);
  onFinalCleanup(() => {
    rmdirSync(dir);
    made.delete(name);
  });
  return `${dir}/cgroup.procs`;
}

/** How this run places its daemons, for the machine's description. */
export function describeServiceCgroups(): string {
  if (!wanted) return 'daemons: in the bench\'s own cgroup (--no-cgroups), as started from a shell';
  if (process.getuid?.() !== 0 || cgroup2Root() === undefined) return 'daemons: in the bench\'s own cgroup (no cgroup v2 the bench may write)';
  return `daemons: each in a cgroup v2 of its own with its apps, as their systemd units run them (under ${cgroup2Root()})`;
}

/** `command args…` as argv that first moves itself into the cgroup, when there is one. */
export function inCgroup(procs: string | undefined, command: string, args: string[]): [string, string[]] {
  if (procs === undefined) return [command, args];
  // The shell joins the cgroup, then becomes the command: what it starts is born in the cgroup.
  return ['/bin/sh', ['-c', 'echo $$ > "$0" && exec "$@"', procs, command, ...args]];
}
