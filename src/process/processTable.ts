import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { BirthRegister, openProcIdentity, type ProcIdentity } from './birthRegister.js';

// Linux /proc, read directly: a snapshot of a few hundred processes costs a few milliseconds and
// no child process (unlike ps), which matters on a shutdown path that cannot wait.

export interface ProcEntry {
  pid: number;
  ppid: number;
  pgid: number;
  /** Session id (field 6). */
  sid: number;
  /** Clock ticks since boot (field 22), as processStartTime() reports it. */
  startTime: number;
  /** One-letter state; 'Z' is a zombie (exited, waiting to be reaped). */
  state: string;
}

function parseProcStat(pid: number, stat: string): ProcEntry | undefined {
  // The command name (field 2) is in parentheses and may contain spaces or ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(rest[1]);
  const pgid = Number(rest[2]);
  const sid = Number(rest[3]);
  const startTime = Number(rest[19]);
  if (!Number.isFinite(ppid) || !Number.isFinite(pgid) || !Number.isFinite(sid) || !Number.isFinite(startTime)) return undefined;
  return { pid, ppid, pgid, sid, startTime, state: rest[0] ?? '?' };
}

export function readProcEntry(pid: number): ProcEntry | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return parseProcStat(pid, stat);
}

// A stat line is a few hundred bytes (52 numbers and a name of at most 64 bytes).
const statBuffer = Buffer.alloc(4096);

/** The entry of `pid` and the identity of the file it was read through (one open file: both are of the same process). */
function readProcEntryWithIdentity(pid: number): { entry: ProcEntry; identity: ProcIdentity } | undefined {
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/stat`, 'r');
  } catch {
    return undefined;
  }
  try {
    const identity = openProcIdentity(fd);
    let length = 0;
    for (let n = 1; n > 0 && length < statBuffer.length; length += n) n = readSync(fd, statBuffer, length, statBuffer.length - length, null);
    const entry = parseProcStat(pid, statBuffer.toString('latin1', 0, length));
    return entry && { entry, identity };
  } catch {
    // Gone between the open and the read (ESRCH).
    return undefined;
  } finally {
    closeSync(fd);
  }
}

// Kernel threads are most of the processes of a small host (57 of 65 on the bench VM) and never
// belong to an app's tree. They are the children of kthreadd, PID 2 outside a PID namespace, which
// one read lists: with them left out a scan reads a few files instead of dozens, and a crash
// restart waits on that scan. In a container PID 2 is an ordinary process: then nothing is left out.
const PF_KTHREAD = 0x00200000;
let kthreaddAtPid2: boolean | undefined;

function isKthreadd(): boolean {
  try {
    const stat = readFileSync('/proc/2/stat', 'utf8');
    // Field 9, the task's flags (the state is field 3).
    const flags = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[6]);
    return stat.includes('(kthreadd)') && Number.isFinite(flags) && (flags & PF_KTHREAD) !== 0;
  } catch {
    return false;
  }
}

/** The PIDs of the kernel threads now (empty where kthreadd is not visible as PID 2). */
export function kernelThreads(): Set<number> {
  // kthreadd never exits, and a container never sees it: the answer holds for the daemon's life.
  kthreaddAtPid2 ??= isKthreadd();
  const pids = new Set<number>();
  if (!kthreaddAtPid2) return pids;
  let children: string;
  try {
    // 'utf8' (the file is ASCII) takes Node's one-call path for a whole file, where other
    // encodings open, stat, read and close from JavaScript: 250 µs instead of 430 on a cold CPU.
    children = readFileSync('/proc/2/task/2/children', 'utf8');
  } catch {
    // A kernel built without CONFIG_PROC_CHILDREN: read them all.
    return pids;
  }
  for (const word of children.split(' ')) {
    const pid = Number(word);
    if (word !== '' && Number.isInteger(pid)) pids.add(pid);
  }
  return pids;
}

const births = new BirthRegister();

/**
 * Every process visible in /proc (empty where there is no /proc), but kernel threads, those `skip`
 * names, and those started before `bornSince` (clock ticks since boot, as ProcEntry.startTime):
 * most of these are left out without a read, known from an earlier scan (see birthRegister.ts).
 */
export function scanProcesses(skip: (pid: number) => boolean = () => false, bornSince = 0): ProcEntry[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  // Listed after the directory, so a PID left out was a kernel thread after the listing: no
  // process alive through the scan has it, and one born since is one the listing missed anyway.
  const kernel = kernelThreads();
  births.beginListing();
  const entries: ProcEntry[] = [];
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(name);
    if (kernel.has(pid) || skip(pid) || births.bornBefore(pid, bornSince)) continue;
    const read = readProcEntryWithIdentity(pid);
    if (!read) continue;
    births.note(pid, read.identity, read.entry.startTime);
    if (read.entry.startTime >= bornSince) entries.push(read.entry);
  }
  return entries;
}

// One register per cgroup listed: each holds what its own listings held (see BirthRegister).
const listedBirths = new Map<string, BirthRegister>();

/**
 * The processes among `pids` (the members of the cgroup `listing`, see cgroup.ts) but those
 * `skip` names and those started before `bornSince`. As in a /proc scan, a process seen in an
 * earlier listing of the same cgroup costs a `stat`, not a read.
 */
export function scanListed(pids: readonly number[], listing: string, skip: (pid: number) => boolean = () => false, bornSince = 0): ProcEntry[] {
  let register = listedBirths.get(listing);
  if (!register) listedBirths.set(listing, (register = new BirthRegister()));
  register.beginListing();
  const entries: ProcEntry[] = [];
  for (const pid of pids) {
    if (skip(pid) || register.bornBefore(pid, bornSince)) continue;
    const read = readProcEntryWithIdentity(pid);
    if (!read) continue;
    register.note(pid, read.identity, read.entry.startTime);
    if (read.entry.startTime >= bornSince) entries.push(read.entry);
  }
  return entries;
}

/**
 * A scan whose only use is what it teaches the next one: the host's processes as they are now,
 * so that the first look for an app's strays reads only what started since (the daemon's boot).
 */
export function learnProcesses(): void {
  scanProcesses();
}

/** True when the environment of `pid` holds exactly `name=value` (false when unreadable). */
export function hasEnvEntry(pid: number, name: string, value: string): boolean {
  let environ: Buffer;
  try {
    environ = readFileSync(`/proc/${pid}/environ`);
  } catch {
    return false;
  }
  const needle = Buffer.from(`${name}=${value}`);
  // A whole entry only: it starts the buffer or follows a NUL, and ends at a NUL or the end.
  for (let at = environ.indexOf(needle); at !== -1; at = environ.indexOf(needle, at + 1)) {
    const end = at + needle.length;
    if ((at === 0 || environ[at - 1] === 0) && (end === environ.length || environ[end] === 0)) return true;
  }
  return false;
}
