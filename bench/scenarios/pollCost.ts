import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HuddleDaemon } from '../lib/huddleDaemon.js';
import type { BenchOptions } from '../lib/options.js';
import { cpuDelta, cpuTimes } from '../lib/procStats.js';
import type { Row, ScenarioResult } from '../lib/report.js';
import { single, summarise } from '../lib/stats.js';
import { delay, waitFor } from '../lib/waitFor.js';
import { pushVersion } from '../lib/gitRepo.js';
import { addApp, makeWorkspace, type BenchApp, type Workspace } from '../lib/workspace.js';

// 4. poll cost: what one poll that finds nothing new costs. Two daemons on the same app, one after
// the other: the first measures CPU time (the daemon's own, and its git children's as the kernel
// accounts them once reaped) and whether anything was fetched; the second runs git through a
// shim that logs each invocation, to count git processes per poll and per deploying poll (the
// shim's own shell would distort the CPU figures, hence the separate run). Both run at debug level,
// where each poll logs `healthy → fetching → healthy`, and are counted from those lines.

const SCENARIO = 'poll cost';
const POLL_SECONDS = 1;
/**
 * The window opens this long after the daemon started: some 15-20 s after its start a Node process
 * spends ~100-200 ms once (seen on every run, in every build), which is not the cost of a poll.
 */
const WARM_UP_MS = 25_000;

function objectBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? objectBytes(path) : statSync(path).size;
  }
  return total;
}

interface RepoState {
  objectBytes: number;
  fetchHead: string;
}

function repoState(app: BenchApp): RepoState {
  const fetchHead = join(app.checkout, '.git', 'FETCH_HEAD');
  return {
    objectBytes: objectBytes(join(app.checkout, '.git', 'objects')),
    fetchHead: existsSync(fetchHead) ? `${statSync(fetchHead).mtimeMs}:${readFileSync(fetchHead, 'utf8')}` : 'none',
  };
}

function pollsOf(daemon: HuddleDaemon, app: string): number {
  return daemon.changes.filter((c) => c.app === app && c.to === 'fetching').length;
}

/** Waits for `count` more polls of `app`, as its `healthy → fetching` state changes show them. */
async function waitPolls(daemon: HuddleDaemon, app: string, count: number): Promise<void> {
  const target = pollsOf(daemon, app) + count;
  await waitFor(() => pollsOf(daemon, app) >= target, {
    timeoutMs: count * (POLL_SECONDS * 1000 + 2000) + 10_000,
    intervalMs: 5,
    what: `${count} polls`,
  });
}

/** ms from each `fetching` to the `healthy` after it, for the polls after index `from`. */
function pollDurations(daemon: HuddleDaemon, app: string, from: number): number[] {
  const changes = daemon.changes.filter((c) => c.app === app);
  const durations: number[] = [];
  let polls = 0;
  for (let i = 0; i < changes.length; i++) {
    if (changes[i]!.to !== 'fetching') continue;
    if (polls++ < from) continue;
    const back = changes[i + 1];
    if (back?.to === 'healthy') durations.push(back.at - changes[i]!.at);
  }
  return durations;
}

/**
 * Polls are counted from the daemon's `healthy → fetching` lines, so this daemon runs at debug
 * level: the figure includes writing those two lines per poll. A repository on this machine is
 * probed by reading its ref file, so there is no git process to count polls by.
 */
async function measureCpu(ws: Workspace, app: BenchApp, polls: number, warmUpMs: number) {
  const started = performance.now();
  const daemon = await new HuddleDaemon(ws, { logLevel: 'debug' }).ready();
  await daemon.waitHealthy([app.name], 30_000);
  await waitPolls(daemon, app.name, 2);
  await delay(started + warmUpMs - performance.now());
  await waitPolls(daemon, app.name, 1);
  const before = { cpu: cpuTimes(daemon.pid), repo: repoState(app) };
  await waitPolls(daemon, app.name, polls);
  const after = { cpu: cpuTimes(daemon.pid), repo: repoState(app) };
  await daemon.stop();
  return { counted: polls, cpu: cpuDelta(before.cpu, after.cpu), before: before.repo, after: after.repo };
}

/** One poll asked for through the control socket, until the app is back in `healthy`. */
async function pollOnce(daemon: HuddleDaemon, app: string): Promise<void> {
  const before = pollsOf(daemon, app);
  await daemon.poll(app);
  await waitFor(() => pollsOf(daemon, app) > before && daemon.changes.filter((c) => c.app === app).at(-1)?.to === 'healthy', {
    timeoutMs: 20_000,
    intervalMs: 5,
    what: `a poll of ${app}`,
  });
}

function subcommands(lines: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) {
    const sub = line.split(' ').find((word) => !word.startsWith('-')) ?? '?';
    counts.set(sub, (counts.get(sub) ?? 0) + 1);
  }
  return counts;
}

/**
 * git runs through a logging shim; the app keeps the default 60 s interval and every poll is asked
 * for with `huddle poll`, so the count holds exactly the polls made: `polls` unchanged ones, then
 * one that finds a new commit and deploys it.
 */
async function countGit(ws: Workspace, app: BenchApp, polls: number) {
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  const log = join(ws.root, 'git-calls.log');
  const shim = join(ws.root, 'git-shim');
  await writeFile(shim, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${realGit}' "$@"\n`);
  await chmod(shim, 0o755);
  await writeFile(log, '');
  const { timing: _timing, ...config } = app.config;
  await writeFile(join(ws.configDir, `${app.name}.json`), JSON.stringify({ ...config, repository: { ...app.config.repository, executable: shim } }));
  const calls = () => readFileSync(log, 'utf8').split('\n').filter(Boolean);
  // Debug level: a poll of a running app (healthy → fetching → healthy) is logged at debug only.
  const daemon = await new HuddleDaemon(ws, { logLevel: 'debug' }).ready();
  await daemon.waitHealthy([app.name], 30_000);
  const atStart = calls().length;
  const firstPoll = pollsOf(daemon, app.name);
  for (let i = 0; i < polls; i++) await pollOnce(daemon, app.name);
  const durations = pollDurations(daemon, app.name, firstPoll);
  const unchanged = calls().slice(atStart);
  const pushed = await pushVersion(app.repo, 'next');
  await daemon.poll(app.name);
  await daemon.waitHealthy([app.name], 20_000, pushed.commit);
  const update = calls().slice(atStart + unchanged.length);
  await daemon.stop();
  return { counted: polls, processes: unchanged.length, bySubcommand: subcommands(unchanged), update: subcommands(update), updateProcesses: update.length, durations };
}

export async function pollCost(options: BenchOptions): Promise<ScenarioResult> {
  const ws = await makeWorkspace();
  const app = await addApp(ws, 'polled', { config: { timing: { minimum: POLL_SECONDS } } });
  const warmUpMs = options.quick ? 5_000 : WARM_UP_MS;
  const cpu = await measureCpu(ws, app, options.polls, warmUpMs);
  options.log(`  ${cpu.counted} polls: daemon ${(cpu.cpu.own * 1000).toFixed(0)} ms CPU, git ${(cpu.cpu.children * 1000).toFixed(0)} ms CPU`);
  const git = await countGit(ws, app, options.polls);
  options.log(`  ${git.counted} polls: ${git.processes} git processes`);

  const perPoll = (seconds: number) => single((seconds * 1000) / cpu.counted);
  const bytes = cpu.after.objectBytes - cpu.before.objectBytes;
  const fetches = git.bySubcommand.get('fetch') ?? 0;
  const untouched = bytes === 0 && cpu.after.fetchHead === cpu.before.fetchHead && fetches === 0;
  const rows: Row[] = [
    { scenario: SCENARIO, measure: 'git processes per unchanged poll', tool: 'huddle', unit: 'count', summary: single(git.processes / git.counted) },
    { scenario: SCENARIO, measure: 'git processes per poll that deploys a new commit', tool: 'huddle', unit: 'count', summary: single(git.updateProcesses) },
    { scenario: SCENARIO, measure: 'CPU per unchanged poll, daemon + git', tool: 'huddle', unit: 'ms CPU', summary: perPoll(cpu.cpu.own + cpu.cpu.children) },
    { scenario: SCENARIO, measure: 'CPU per unchanged poll, daemon alone', tool: 'huddle', unit: 'ms CPU', summary: perPoll(cpu.cpu.own) },
    { scenario: SCENARIO, measure: 'CPU per unchanged poll, git children', tool: 'huddle', unit: 'ms CPU', summary: perPoll(cpu.cpu.children) },
    { scenario: SCENARIO, measure: 'unchanged poll duration (fetching → healthy)', tool: 'huddle', unit: 'ms', summary: summarise(git.durations) },
    {
      scenario: SCENARIO, measure: 'bytes fetched over all unchanged polls', tool: 'huddle', unit: 'bytes', summary: single(bytes),
      target: { text: 'none', pass: untouched },
    },
  ];
  const list = (counts: Map<string, number>) => [...counts].map(([sub, n]) => `${sub} ×${n}`).join(', ') || 'none';
  return {
    rows,
    notes: [
      `${SCENARIO}: ${cpu.counted} polls at a ${POLL_SECONDS} s interval for CPU, from ${warmUpMs / 1000} s after the daemon's start, counted from the daemon's debug lines (health checks at their default 10 s fall in the same window); ${git.counted} asked for with \`huddle poll\` for counting git runs (through a logging shim, daemon at --log-level debug; the poll durations come from this run): ${list(git.bySubcommand)}; the poll that deploys: ${list(git.update)}; FETCH_HEAD ${cpu.after.fetchHead === cpu.before.fetchHead ? 'untouched' : 'CHANGED'}, objects ${bytes === 0 ? 'unchanged' : `grew by ${bytes} bytes`}. CPU comes in 10 ms ticks (/proc/<pid>/stat).`,
    ],
  };
}
