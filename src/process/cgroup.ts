import { readdirSync, readFileSync } from 'node:fs';

// Every process forked from the daemon starts in the daemon's cgroup, and only a privileged
// manager moves one elsewhere (systemd-run, a container runtime: the process is then theirs). So
// an app's strays are in the cgroup the daemon had when it started the app, or in a cgroup made
// below it. Under systemd that cgroup is huddle's unit and holds huddle's own processes only: one
// read of its member list replaces a look at every process of the host, which on a busy host was
// most of a crash restart's delay. This is also how systemd itself tells a service's processes.
//
// The root cgroup (no systemd, or a container with a cgroup namespace, where the container's
// cgroup reads as `/`) holds the whole host or container and narrows nothing: there, and wherever
// cgroup v2 is not mounted or not readable, the caller scans /proc as before.

let mountPoint: string | null | undefined;

/** `\040` and the like in /proc/self/mountinfo. */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Where the cgroup v2 hierarchy is mounted with its root (`/sys/fs/cgroup`, or `/sys/fs/cgroup/unified` on a hybrid host). */
function cgroup2MountPoint(): string | null {
  let mountinfo: string;
  try {
    mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return null;
  }
  for (const line of mountinfo.split('\n')) {
    const dash = line.indexOf(' - ');
    if (dash === -1 || !line.startsWith('cgroup2 ', dash + 3)) continue;
    const fields = line.slice(0, dash).split(' ');
    // Field 4 is the root of the mount within the hierarchy: only a mount of the whole hierarchy
    // maps a path of /proc/self/cgroup onto a directory by plain joining.
    if (fields[3] === '/' && fields[4] !== undefined) return unescapeMountField(fields[4]);
  }
  return null;
}

/** The cgroup v2 mount of the whole hierarchy, or undefined when there is none. */
export function cgroup2Root(): string | undefined {
  if (mountPoint === undefined) mountPoint = cgroup2MountPoint();
  return mountPoint ?? undefined;
}

/** This process's cgroup v2 path (`/system.slice/huddle.service`), or undefined when unreadable. */
export function ownCgroupPath(): string | undefined {
  try {
    return readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => l.startsWith('0::'))?.slice(3);
  } catch {
    return undefined;
  }
}

/**
 * The directory of the daemon's cgroup v2 now, or undefined when it would narrow nothing (the
 * root cgroup) or cannot be read. Cheap (one small read): called at every spawn, since the
 * cgroup a process starts in is the one its parent has at that moment.
 */
export function currentCgroupDir(): string | undefined {
  // Mounts do not move under a running daemon; the mount table is read once.
  const root = cgroup2Root();
  if (root === undefined) return undefined;
  const path = ownCgroupPath();
  // ` (deleted)`: a cgroup removed under us; a path that climbs out of the namespace's root.
  if (path === undefined || path === '/' || !path.startsWith('/') || path.endsWith(' (deleted)') || path.startsWith('/..')) return undefined;
  return root + path;
}

function collect(dir: string, into: Set<number>): void {
  for (const word of readFileSync(`${dir}/cgroup.procs`, 'utf8').split('\n')) {
    // A process of another PID namespace reads as 0.
    const pid = Number(word);
    if (word !== '' && Number.isInteger(pid) && pid > 0) into.add(pid);
  }
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) collect(`${dir}/${entry.name}`, into);
  }
}

/**
 * The PIDs in the cgroup at `dir` and in every cgroup below it, or undefined when any of them
 * cannot be read (the cgroup is gone, or not ours to read): the caller then scans /proc.
 */
export function cgroupPids(dir: string): number[] | undefined {
  const pids = new Set<number>();
  try {
    collect(dir, pids);
  } catch {
    return undefined;
  }
  return [...pids];
}
