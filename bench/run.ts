// `npm run bench`: huddle's benchmarks, side by side with PM2 where PM2 does the same job.
// Options: --only push,crash,footprint,poll  --runs N  --window SECONDS  --sizes 1,20,100
//          --polls N  --quick  --results bench/RESULTS.md (rewrites the figures block there)
//          --node-args="..." (Node options for huddle's daemon instead of production's DAEMON_NODE_FLAGS)
//          --huddle-cli=PATH (bench another build of huddle's CLI, e.g. a patched copy)
//          --host-processes N (N idle processes alive through the run, as on a busier host)
//          --no-cgroups (the daemons in the bench's cgroup, not each in one of its own as under systemd)
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cleanUpAll, cleanUpOnSignals } from './lib/cleanup.js';
import { setDaemonNodeArgs } from './lib/huddleDaemon.js';
import { startIdleProcesses, type IdleProcesses } from './lib/idleProcesses.js';
import { describeMachine, loadAverage } from './lib/machine.js';
import type { BenchOptions } from './lib/options.js';
import { assertBuilt, setHuddleCli } from './lib/paths.js';
import { describeServiceCgroups, setServiceCgroups } from './lib/serviceCgroup.js';
import { markdownTable, textTable, type Row, type ScenarioResult } from './lib/report.js';
import { crashToServe } from './scenarios/crashToServe.js';
import { footprint } from './scenarios/footprint.js';
import { pollCost } from './scenarios/pollCost.js';
import { pushToServe } from './scenarios/pushToServe.js';

const SCENARIOS: Record<string, (options: BenchOptions) => Promise<ScenarioResult>> = {
  push: pushToServe,
  crash: crashToServe,
  footprint,
  poll: pollCost,
};

function parseOptions(): { options: BenchOptions; only: string[]; results: string | undefined; hostProcesses: number } {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      runs: { type: 'string' },
      window: { type: 'string' },
      sizes: { type: 'string' },
      polls: { type: 'string' },
      quick: { type: 'boolean', default: false },
      results: { type: 'string' },
      'node-args': { type: 'string' },
      'huddle-cli': { type: 'string' },
      'host-processes': { type: 'string' },
      'no-cgroups': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log('usage: npm run bench -- [--only push,crash,footprint,poll] [--runs N] [--window S] [--sizes 1,20,100] [--polls N] [--quick] [--results FILE] [--node-args="..."] [--huddle-cli=PATH] [--host-processes N] [--no-cgroups]');
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const positive = (text: string | undefined, fallback: number, name: string) => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive whole number, not "${text}"`);
    return n;
  };
  const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean) ?? Object.keys(SCENARIOS);
  for (const name of only) if (!(name in SCENARIOS)) throw new Error(`unknown scenario "${name}" (one of ${Object.keys(SCENARIOS).join(', ')})`);
  // Default: the flags production uses; --node-args="" measures the daemon without them.
  if (values['node-args'] !== undefined) setDaemonNodeArgs(values['node-args'].split(' ').filter(Boolean));
  if (values['huddle-cli']) setHuddleCli(resolve(values['huddle-cli']));
  if (values['no-cgroups']) setServiceCgroups(false);
  const sizes = values.sizes?.split(',').map((s) => positive(s.trim(), 1, 'sizes')) ?? (quick ? [1, 20] : [1, 20, 100]);
  return {
    only,
    results: values.results,
    hostProcesses: values['host-processes'] === undefined ? 0 : positive(values['host-processes'], 0, 'host-processes'),
    options: {
      runs: positive(values.runs, quick ? 3 : 10, 'runs'),
      windowSeconds: positive(values.window, quick ? 10 : 60, 'window'),
      sizes,
      polls: positive(values.polls, quick ? 5 : 15, 'polls'),
      quick,
      log: (line) => console.error(line),
    },
  };
}

const BLOCK_START = '<!-- bench:start -->';
const BLOCK_END = '<!-- bench:end -->';

/** Replace the block between the markers in `file` (or append one), leaving the hand-written text alone. */
async function writeResults(file: string, machine: string[], rows: Row[], notes: string[], command: string): Promise<void> {
  const block = [
    BLOCK_START,
    `<!-- Written by \`${command}\` on ${new Date().toISOString()}: edit the text outside this block. -->`,
    '',
    '**Machine**',
    '',
    ...machine.map((line) => `- ${line}`),
    `- load average at end (1/5/15 min): ${loadAverage()}`,
    '',
    markdownTable(rows),
    '',
    ...notes.map((note) => `- ${note}`),
    BLOCK_END,
  ].join('\n');
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch {
    text = '# Benchmark results\n\n';
  }
  const start = text.indexOf(BLOCK_START);
  const end = text.indexOf(BLOCK_END);
  const updated = start >= 0 && end > start ? `${text.slice(0, start)}${block}${text.slice(end + BLOCK_END.length)}` : `${text.trimEnd()}\n\n${block}\n`;
  await writeFile(file, updated);
}

async function main(): Promise<number> {
  const { options, only, results, hostProcesses } = parseOptions();
  assertBuilt();
  cleanUpOnSignals();
  // Outside the scenarios' cleanup (which ends each scenario): they live through the whole run.
  let idle: IdleProcesses | undefined;
  if (hostProcesses > 0) idle = await startIdleProcesses(hostProcesses);
  try {
    return await runScenarios(options, only, results, hostProcesses);
  } finally {
    await idle?.stop();
  }
}

async function runScenarios(options: BenchOptions, only: string[], results: string | undefined, hostProcesses: number): Promise<number> {
  const machine = describeMachine();
  if (hostProcesses > 0) machine.push(`idle processes started by the bench (--host-processes), in the count above: ${hostProcesses}`);
  console.error(machine.join('\n'));
  const rows: Row[] = [];
  const notes: string[] = [];
  let failed = 0;
  for (const name of only) {
    const started = performance.now();
    console.error(`\n== ${name}`);
    try {
      const result = await SCENARIOS[name]!(options);
      rows.push(...result.rows);
      notes.push(...result.notes);
    } catch (error) {
      failed++;
      const message = `${name}: failed: ${(error as Error).stack ?? String(error)}`;
      console.error(message);
      notes.push(`${name}: did not complete: ${(error as Error).message}`);
    } finally {
      await cleanUpAll();
    }
    console.error(`== ${name} took ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  // Known once the daemons have started.
  machine.push(describeServiceCgroups());
  console.log(`\n${machine.at(-1)}\n${textTable(rows)}\n`);
  for (const note of notes) console.log(`- ${note}`);
  const missed = rows.filter((r) => r.target && !r.target.pass).length;
  console.log(`\n${rows.filter((r) => r.target).length - missed} target(s) met, ${missed} missed${failed ? `, ${failed} scenario(s) failed` : ''}`);
  if (results) {
    await writeResults(results, machine, rows, notes, `npm run bench -- ${process.argv.slice(2).join(' ')}`);
    console.log(`figures written to ${results}`);
  }
  return failed > 0 ? 1 : 0;
}

main()
  .then((code) => {
    process.exitCode = code;
  })
  .catch(async (error: unknown) => {
    console.error((error as Error).message);
    await cleanUpAll();
    process.exitCode = 1;
  });
