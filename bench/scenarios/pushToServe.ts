import { execFile } from 'node:child_process';
import { appStartMs } from '../lib/appStart.js';
import { HuddleDaemon } from '../lib/huddleDaemon.js';
import { nodeStartMs, withoutExtraCaCerts } from '../lib/nodeStart.js';
import { pushVersion } from '../lib/gitRepo.js';
import type { BenchOptions } from '../lib/options.js';
import { huddleCommand } from '../lib/paths.js';
import { downtimeOf, firstServing, probeUntil, versionOf } from '../lib/probe.js';
import type { Row, ScenarioResult, Target } from '../lib/report.js';
import { summarise } from '../lib/stats.js';
import { delay } from '../lib/waitFor.js';
import { addApp, makeWorkspace, type BenchApp } from '../lib/workspace.js';

// 1. push-to-serve: from a push to the bare repository until the app answers with the new version.
// `timed` polls every second (fixed interval) and finds the push itself; `triggered` keeps the
// default 60 s interval and is told with `huddle poll`: through the control socket as the CLI
// sends it, and through the CLI itself (a Node process that starts, asks, exits).

const SCENARIO = 'push-to-serve';
const PROBE_INTERVAL_MS = 5;
const ORIGINAL_MEDIAN_MS = 495;
const ORIGINAL_DOWNTIME_MS = 53;
const TRIGGERED_TARGET_MS = 150;
const DOWNTIME_TARGET_MS = 60;

interface Variant {
  tool: string;
  measure: string;
  app: BenchApp;
  /** Wait before the push (a random point of the poll cycle for the timed app). */
  before: () => Promise<void>;
  /** Started right after the push, while the probe runs. */
  trigger?: () => Promise<void>;
  /** Print the daemon's phases for this variant. */
  phases: boolean;
  target: Target['text'];
  limitMs: number;
  reference?: string;
}

/** The daemon's phases for the update of `app` that followed `pushedAt`, from its state changes. */
function phasesOf(daemon: HuddleDaemon, app: string, pushedAt: number, serveAt: number): Record<string, number> | null {
  const stopping = daemon.changeAfter(app, 'stopping', pushedAt);
  if (!stopping) return null;
  const pollStart = daemon.changes.filter((c) => c.app === app && c.to === 'fetching' && c.at < stopping.at).at(-1);
  const updating = daemon.changeAfter(app, 'updating', stopping.at);
  const starting = updating && daemon.changeAfter(app, 'starting', updating.at);
  const healthy = starting && daemon.changeAfter(app, 'healthy', starting.at);
  if (!pollStart || !updating || !starting || !healthy) return null;
  // A poll that began just before the push and read the head after it: its wait counts as zero.
  const pollAt = Math.max(pollStart.at, pushedAt);
  return {
    'push → poll starts': pollAt - pushedAt,
    'daemon overhead: poll starts → serves': serveAt - pollAt,
    '· probe + fetch (→ stopping)': stopping.at - pollAt,
    '· stop (→ updating)': updating.at - stopping.at,
    '· checkout (→ starting)': starting.at - updating.at,
    '· start → app serves': serveAt - starting.at,
    '· start → first passing check (→ healthy)': healthy.at - starting.at,
  };
}

function cliPoll(stateDir: string, app: string, durations: number[]): Promise<void> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const command = huddleCommand(['poll', app, '--state-dir', stateDir]);
    execFile(command.file, command.args, { env: command.env, timeout: 20_000 }, (error, _out, stderr) => {
      durations.push(performance.now() - started);
      if (error) reject(new Error(`huddle poll ${app}: ${error.message} ${stderr}`));
      else resolve();
    });
  });
}

export async function pushToServe(options: BenchOptions): Promise<ScenarioResult> {
  const ws = await makeWorkspace();
  // Default settings but a 1 s poll: the watch of the local repository (timing.watch) applies.
  const timed = await addApp(ws, 'timed', { config: { timing: { minimum: 1 } } });
  // The poll alone: what a remote on another machine gets.
  const polled = await addApp(ws, 'polled', { config: { timing: { minimum: 1, watch: false } } });
  // Told by `huddle poll` only, so the push itself must not wake it.
  const triggered = await addApp(ws, 'triggered', { config: { timing: { watch: false } } });
  // Debug level: the poll that finds the push begins with `healthy → fetching`, a debug line.
  const daemon = await new HuddleDaemon(ws, { logLevel: 'debug' }).ready();
  await daemon.waitHealthy([timed.name, polled.name, triggered.name], 60_000);
  const rows: Row[] = [];
  const notes: string[] = [];
  const cliDurations: number[] = [];
  const variants: Variant[] = [
    {
      tool: 'huddle', measure: '1 s poll', app: timed, phases: true,
      // Pushes land at a random point of the poll cycle, as real ones do.
      before: () => delay(Math.random() * 1000),
      target: `≤ ${ORIGINAL_MEDIAN_MS} ms`, limitMs: ORIGINAL_MEDIAN_MS, reference: `orig. huddle ${ORIGINAL_MEDIAN_MS} ms`,
    },
    {
      tool: 'huddle', measure: '1 s poll, timing.watch off', app: polled, phases: true,
      before: () => delay(Math.random() * 1000),
      target: '', limitMs: Number.POSITIVE_INFINITY, reference: `orig. huddle ${ORIGINAL_MEDIAN_MS} ms`,
    },
    {
      tool: 'huddle (socket)', measure: '`huddle poll`', app: triggered, phases: true, before: () => Promise.resolve(),
      trigger: () => daemon.poll(triggered.name), target: `≤ ${TRIGGERED_TARGET_MS} ms`, limitMs: TRIGGERED_TARGET_MS,
    },
    {
      tool: 'huddle (CLI)', measure: '`huddle poll`', app: triggered, phases: false, before: () => Promise.resolve(),
      trigger: () => cliPoll(ws.stateDir, triggered.name, cliDurations), target: `≤ ${TRIGGERED_TARGET_MS} ms`, limitMs: TRIGGERED_TARGET_MS,
    },
  ];
  let version = 1;
  for (const variant of variants) {
    const served: number[] = [];
    const down: number[] = [];
    const phases = new Map<string, number[]>();
    const resets: string[] = [];
    for (let run = 0; run < options.runs; run++) {
      await variant.before();
      const v = String(++version);
      const pushed = await pushVersion(variant.app.repo, v);
      const triggering = variant.trigger?.();
      const attempts = await probeUntil(variant.app.port, {
        intervalMs: PROBE_INTERVAL_MS,
        timeoutMs: 20_000,
        until: (so) => versionOf(so.at(-1)!.outcome) === v,
        what: `version ${v}`,
      });
      await triggering;
      await daemon.waitHealthy([variant.app.name], 20_000, pushed.commit);
      const serveAt = firstServing(attempts, v)!.endedAt;
      const downtime = downtimeOf(attempts);
      served.push(serveAt - pushed.pushedAt);
      down.push(downtime.ms);
      if (downtime.errors > 0) resets.push(`run ${run + 1}: ${downtime.errors} (${downtime.errorCodes.join(', ')})`);
      const p = variant.phases ? phasesOf(daemon, variant.app.name, pushed.pushedAt, serveAt) : null;
      if (p) for (const [name, ms] of Object.entries(p)) phases.set(name, [...(phases.get(name) ?? []), ms]);
      else if (variant.phases) notes.push(`${SCENARIO}, ${variant.tool} run ${run}: not every state change of the update was seen`);
      options.log(`  ${variant.measure} ${variant.tool}, run ${run + 1}/${options.runs}: ${served.at(-1)!.toFixed(0)} ms, downtime ${downtime.ms.toFixed(0)} ms`);
    }
    if (resets.length > 0) notes.push(`${SCENARIO}, ${variant.tool}: probes that failed other than by refusal (a request cut by the stop): ${resets.join('; ')}`);
    const s = summarise(served);
    const d = summarise(down);
    rows.push({
      scenario: SCENARIO, measure: `push → serves, ${variant.measure}`, tool: variant.tool, unit: 'ms', summary: s,
      ...(variant.reference ? { reference: variant.reference } : {}),
      ...(Number.isFinite(variant.limitMs) ? { target: { text: variant.target, pass: s.median <= variant.limitMs } } : {}),
    });
    for (const [name, values] of phases) rows.push({ scenario: SCENARIO, measure: name, tool: variant.tool, unit: 'ms', summary: summarise(values) });
    if (variant.tool === 'huddle (CLI)') {
      rows.push({ scenario: SCENARIO, measure: '· `huddle poll` process: spawn → exit', tool: variant.tool, unit: 'ms', summary: summarise(cliDurations) });
      rows.push({ scenario: SCENARIO, measure: "· Node's own start, `node -e 0` (no huddle)", tool: 'node', unit: 'ms', summary: summarise(await nodeStartMs(options.runs)) });
      if (process.env.NODE_EXTRA_CA_CERTS) {
        const bare = summarise(await nodeStartMs(options.runs, withoutExtraCaCerts()));
        rows.push({ scenario: SCENARIO, measure: "· Node's own start without NODE_EXTRA_CA_CERTS (as bin/huddle starts `poll`)", tool: 'node', unit: 'ms', summary: bare });
      }
    }
    rows.push({
      scenario: SCENARIO, measure: `downtime, ${variant.measure}`, tool: variant.tool, unit: 'ms', summary: d,
      ...(variant.tool === 'huddle' ? { reference: `orig. huddle ${ORIGINAL_DOWNTIME_MS} ms` } : {}),
      target: { text: `≤ ${DOWNTIME_TARGET_MS} ms`, pass: d.median <= DOWNTIME_TARGET_MS },
    });
  }
  await daemon.stop();
  rows.push({ scenario: SCENARIO, measure: 'the app alone: spawn → serves (no huddle)', tool: 'python3', unit: 'ms', summary: summarise(await appStartMs(options.runs)) });
  notes.push(
    `${SCENARIO}: probes every ${PROBE_INTERVAL_MS} ms on a new connection each; downtime = first refused probe → first answer; phases from the daemon's state-change log lines (daemon at --log-level debug, which adds the two lines of each poll), stamped when the bench read them.`,
  );
  return { rows, notes };
}
