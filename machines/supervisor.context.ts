// Pure functions over the supervisor's context; the chart's actions apply their results.
import { specOf } from './app.context.js';
import type { AppMachineInput } from './app.types.js';
import { dependencyOrder } from './dependencies.js';
import type { SupervisedApp, SupervisorContext, SupervisorInput } from './supervisor.types.js';

type Apps = SupervisorContext['apps'];

export function admitting(input: AppMachineInput): SupervisedApp {
  return {
    spec: specOf(input), phase: 'admitting', healthy: false, gate: 'waiting', waitingFor: [], next: input, error: null,
  };
}

export function initialSupervisorContext(input: SupervisorInput): SupervisorContext {
  const apps: Apps = {};
  for (const app of input.apps) apps[app.name] = admitting(app);
  return { apps };
}

export function startOrder(apps: Apps): string[] {
  return dependencyOrder(Object.values(apps).map((app) => ({ name: app.spec.name, depends: app.spec.depends })));
}

export function patchApp(apps: Apps, name: string, patch: Partial<SupervisedApp>): Apps {
  const app = apps[name];
  return app === undefined ? apps : { ...apps, [name]: { ...app, ...patch } };
}

export function withoutApp(apps: Apps, name: string): Apps {
  const { [name]: _gone, ...rest } = apps;
  return rest;
}

export interface GatePlan {
  apps: Apps;
  /** Apps whose dependencies are all healthy now: send START. */
  start: string[];
  /** Apps still held, with what they wait for (only when that list changed): send WAIT_FOR. */
  wait: Array<{ name: string; missing: string[] }>;
}

/** Releases held apps whose dependencies are healthy and refreshes what the others wait for. */
export function planGates(apps: Apps): GatePlan {
  let next = apps;
  const start: string[] = [];
  const wait: GatePlan['wait'] = [];
  for (const name of startOrder(apps)) {
    const app = next[name];
    if (app === undefined || app.phase !== 'active' || app.gate !== 'waiting') continue;
    const missing = app.spec.depends.filter((dep) => next[dep]?.healthy !== true);
    if (missing.length === 0) {
      start.push(name);
      next = patchApp(next, name, { gate: 'released', waitingFor: [] });
    } else if (missing.join('\n') !== app.waitingFor.join('\n')) {
      wait.push({ name, missing });
      next = patchApp(next, name, { waitingFor: missing });
    }
  }
  return { apps: next, start, wait };
}

/** Apps to tell to shut down now: those no remaining app depends on (all of them if a cycle blocks). */
export function planShutdown(apps: Apps): string[] {
  const names = Object.keys(apps);
  const stopping = (name: string) => {
    const phase = apps[name]?.phase;
    return phase === 'shutting-down' || phase === 'replacing' || phase === 'removing';
  };
  const needed = (name: string) => names.some((other) => other !== name && apps[other]?.spec.depends.includes(name));
  const ready = names.filter((name) => !stopping(name) && apps[name]?.phase !== 'crashed' && !needed(name));
  if (ready.length > 0 || names.some(stopping)) return ready;
  return names.filter((name) => apps[name]?.phase !== 'crashed');
}
