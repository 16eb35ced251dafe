import { basename } from 'node:path';
import type { ConfigError, LoadedApp } from './types.js';

// Checks across the apps of one directory: unique names, known dependencies, no cycles. An app
// that fails a check is left out with an error on its own file; so is an app that depends on a
// left-out app, since it could not start. The survivors come back dependencies first.

function label(app: LoadedApp): string {
  return `"${app.config.name}" (${basename(app.file)})`;
}

export function checkAcrossApps(loaded: LoadedApp[], invalidFiles: readonly string[]): { apps: LoadedApp[]; errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  const byName = new Map<string, LoadedApp[]>();
  for (const app of loaded) byName.set(app.config.name, [...(byName.get(app.config.name) ?? []), app]);

  const alive = new Map<string, LoadedApp>();
  for (const [name, apps] of byName) {
    if (apps.length === 1 && apps[0]) {
      alive.set(name, apps[0]);
      continue;
    }
    for (const app of apps) {
      const others = apps.filter((a) => a !== app).map((a) => basename(a.file)).join(', ');
      errors.push({ file: app.file, path: 'name', message: `the app name "${name}" is also used by ${others}; names must be unique` });
    }
  }
  // Apps whose name was taken by two files are "not loaded", not "unknown".
  const excluded = new Map<string, string>();
  for (const [name, apps] of byName) if (apps.length > 1) excluded.set(name, apps.map((a) => basename(a.file)).join(', '));
  for (const file of invalidFiles) {
    const name = basename(file).replace(/\.(json|ini)$/i, '');
    if (!byName.has(name)) excluded.set(name, basename(file));
  }

  const dropMissing = () => {
    let changed = true;
    while (changed) {
      changed = false;
      for (const [name, app] of alive) {
        const missing = app.config.depends.find((dep) => !alive.has(dep));
        if (missing === undefined) continue;
        const where = excluded.get(missing);
        errors.push({
          file: app.file,
          path: 'depends',
          message: where === undefined
            ? `unknown app "${missing}": no config in this directory has that name`
            : `depends on "${missing}", which is not loaded because of errors in ${where}`,
        });
        alive.delete(name);
        excluded.set(name, basename(app.file));
        changed = true;
      }
    }
  };
  dropMissing();

  for (const cycle of findCycles(alive)) {
    const apps = cycle.map((name) => alive.get(name)).filter((a): a is LoadedApp => a !== undefined);
    const text = [...apps, apps[0]].filter((a): a is LoadedApp => a !== undefined).map(label).join(' -> ');
    for (const app of apps) {
      errors.push({ file: app.file, path: 'depends', message: `dependency cycle: ${text}` });
      alive.delete(app.config.name);
      excluded.set(app.config.name, basename(app.file));
    }
  }
  dropMissing();

  return { apps: dependencyOrder(alive), errors };
}

/** Strongly connected components with more than one app (self-dependency is refused per file). */
function findCycles(apps: Map<string, LoadedApp>): string[][] {
  // Tarjan's algorithm, iterative so a long chain of dependencies cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;
  const names = [...apps.keys()].sort();
  for (const root of names) {
    if (index.has(root)) continue;
    const work: { name: string; next: number }[] = [{ name: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter);
    counter += 1;
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (!frame) break;
      const deps = apps.get(frame.name)?.config.depends.filter((d) => apps.has(d)) ?? [];
      if (frame.next < deps.length) {
        const dep = deps[frame.next] as string;
        frame.next += 1;
        if (!index.has(dep)) {
          index.set(dep, counter);
          low.set(dep, counter);
          counter += 1;
          stack.push(dep);
          onStack.add(dep);
          work.push({ name: dep, next: 0 });
        } else if (onStack.has(dep)) {
          low.set(frame.name, Math.min(low.get(frame.name) ?? 0, index.get(dep) ?? 0));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.name, Math.min(low.get(parent.name) ?? 0, low.get(frame.name) ?? 0));
      if (low.get(frame.name) === index.get(frame.name)) {
        const component: string[] = [];
        let member: string | undefined;
        do {
          member = stack.pop();
          if (member === undefined) break;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.name);
        if (component.length > 1) cycles.push(orderCycle(component, apps));
      }
    }
  }
  return cycles;
}

/** The members of a cycle in the order they depend on each other, starting from the first by name. */
function orderCycle(component: string[], apps: Map<string, LoadedApp>): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0] as string;
  const order = [start];
  let current = start;
  for (;;) {
    const next = apps.get(current)?.config.depends.find((d) => members.has(d) && !order.includes(d));
    if (next === undefined) break;
    order.push(next);
    current = next;
  }
  // A component can be more than a simple loop; name every member even if the walk missed some.
  for (const name of [...component].sort()) if (!order.includes(name)) order.push(name);
  return order;
}

/** Dependencies before their dependents; otherwise by file name. Assumes no cycles. */
function dependencyOrder(apps: Map<string, LoadedApp>): LoadedApp[] {
  const sorted = [...apps.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const done = new Set<string>();
  const out: LoadedApp[] = [];
  const visit = (app: LoadedApp, trail: Set<string>) => {
    if (done.has(app.config.name) || trail.has(app.config.name)) return;
    trail.add(app.config.name);
    for (const dep of app.config.depends) {
      const target = apps.get(dep);
      if (target) visit(target, trail);
    }
    done.add(app.config.name);
    out.push(app);
  };
  for (const app of sorted) visit(app, new Set());
  return out;
}
