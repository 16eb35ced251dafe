// `huddle chart`: renderings derived from the machine definitions themselves.
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import { appMachine } from '../../machines/app.machine.js';
import { supervisorMachine } from '../../machines/supervisor.machine.js';
import { chartOf, renderChart, statesOf, toDot, toMermaid } from '../../src/chart/index.js';
import { idOf } from '../../src/chart/mermaid.js';
import { registerChart } from '../../src/cli/commands/chart.js';

const machines: Array<[string, AnyStateMachine]> = [['app', appMachine], ['supervisor', supervisorMachine]];

afterEach(() => vi.restoreAllMocks());

async function runChart(...args: string[]): Promise<string> {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const program = new Command().exitOverride();
  registerChart(program);
  await program.parseAsync(['chart', ...args], { from: 'user' });
  return out;
}

describe.each(machines)('the %s chart', (_name, machine) => {
  it('mermaid names every state of the definition', () => {
    const mermaid = toMermaid(machine);
    expect(mermaid.startsWith('stateDiagram-v2\n')).toBe(true);
    const states = statesOf(chartOf(machine));
    expect(states.length).toBeGreaterThan(2);
    for (const state of states) {
      const declared = state.children.length > 0 ? `state ${idOf(state)} {` : `state "${state.key}" as ${idOf(state)}`;
      expect(mermaid).toContain(declared);
    }
  });

  it('mermaid draws every transition that changes state', () => {
    const mermaid = toMermaid(machine);
    const arrows = mermaid.split('\n').filter((line) => line.includes(' --> ') && !line.includes('[*]'));
    const targeted = new Set(chartOf(machine).transitions.filter((t) => t.targets.length > 0).map((t) => `${t.event}${t.guard ?? ''}`));
    expect(arrows.length).toBeGreaterThanOrEqual(targeted.size);
    // Mermaid cannot draw an arrow between states nested in two different composites.
    for (const line of arrows) {
      const [from, to] = line.trim().split(' : ')[0]?.split(' --> ') ?? [];
      const nestedFrom = from?.includes('_') && from !== 'any_state';
      const nestedTo = to?.includes('_');
      if (nestedFrom && nestedTo) expect(from?.split('_')[0]).toBe(to?.split('_')[0]);
    }
  });

  it('json is the machine\'s own definition', () => {
    expect(JSON.parse(renderChart(machine, 'json'))).toEqual(JSON.parse(JSON.stringify(machine.toJSON())));
  });

  it('dot has a node or cluster for every state', () => {
    const dot = toDot(machine);
    for (const state of statesOf(chartOf(machine))) {
      expect(dot).toContain(state.children.length > 0 ? `"cluster_${state.id}"` : `"${state.id}" [label=`);
    }
  });
});

describe('huddle chart', () => {
  it('prints mermaid by default, and the other formats on request', async () => {
    expect(await runChart('app')).toBe(toMermaid(appMachine));
    expect(await runChart('supervisor', '--format', 'dot')).toBe(toDot(supervisorMachine));
    expect(JSON.parse(await runChart('app', '-f', 'json')).id).toBe('app');
  });

  it('refuses an unknown chart or format', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await expect(runChart('daemon')).rejects.toThrow(/unknown chart "daemon"/);
    await expect(runChart('app', '--format', 'svg')).rejects.toThrow(/unknown format "svg"/);
  });

  it('labels delays, actor results and combined guards readably', () => {
    const mermaid = toMermaid(appMachine);
    expect(mermaid).toContain('healthy --> fetching : after(pollDelay) (→ whileRunning)');
    expect(mermaid).toContain('updating --> starting : done(update)');
    expect(mermaid).toContain('SUPERVISOR.ROLLBACK [isCurrentIncident and canRollBack]');
  });
});
