import { mkdirSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { cgroup2Root, ownCgroupPath } from '../../src/process/cgroup.js';
import { MARKER, onFinalCleanup } from './cleanup.js';
import { waitFor } from './waitFor.js';

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
/** Whether any was made in this run, for the machine's description. */
let madeAny = false;
let failedToMake = false;
const PREFIX = 'huddle-bench-';

/** The cgroup's processes killed at once (cgroup.kill, Linux 5.14), then the cgroup removed. */
async function removeCgroup(dir: string): Promise<void> {
  try {
    writeFileSync(`${dir}/cgroup.kill`, '1');
  } catch {
    // An older kernel: the marked processes were killed by PID already.
  }
  await waitFor(() => {
    try {
      rmdirSync(dir);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ENOENT';
    }
  }, { timeoutMs: 5000, intervalMs: 20, what: `${dir} to empty` });
}

/** Empty cgroups a bench killed outright left behind (each run has a marker of its own). */
function removeLeftovers(parent: string): void {
  let names: string[];
  try {
    names = readdirSync(parent).filter((name) => name.startsWith(PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    try {
      rmdirSync(`${parent}/${name}`);
    } catch {
      // Still holds a process: not ours to end.
    }
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
  const parent = `${root}${own === '/' ? '' : own}`;
  if (!madeAny) removeLeftovers(parent);
  const dir = `${parent}/${PREFIX}${MARKER.slice(0, 8)}-${name}`;
  try {
    mkdirSync(dir);
  } catch {
    // A read-only cgroupfs (a container): the daemons run in the bench's cgroup, and say so.
    failedToMake = true;
    return undefined;
  }
  made.set(name, dir);
  madeAny = true;
  onFinalCleanup(async () => {
    await removeCgroup(dir);
    made.delete(name);
  });
  return `${dir}/cgroup.procs`;
}

/** How this run placed its daemons, for the machine's description (once they have started). */
export function describeServiceCgroups(): string {
  if (!wanted) return 'daemons: in the bench\'s own cgroup (--no-cgroups), as started from a shell';
  if (!madeAny || failedToMake) return 'daemons: in the bench\'s own cgroup (no cgroup v2 the bench may write)';
  return `daemons: each in a cgroup v2 of its own with its apps, as their systemd units run them (under ${cgroup2Root()})`;
}

/** `command args…` as argv that first moves itself into the cgroup, when there is one. */
export function inCgroup(procs: string | undefined, command: string, args: string[]): [string, string[]] {
  if (procs === undefined) return [command, args];
  // The shell joins the cgroup, then becomes the command: what it starts is born in the cgroup.
  return ['/bin/sh', ['-c', 'echo $$ > "$0" && exec "$@"', procs, command, ...args]];
}
