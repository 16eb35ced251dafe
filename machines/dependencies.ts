// Pure dependency-order maths over app specs (`depends: [names]`).

export interface DependencyNode {
  name: string;
  depends: readonly string[];
}

/**
 * Names ordered so that each app comes after the apps it depends on (start order; reverse it to stop).
 * Members of a cycle, and apps depending on them, come last in their input order.
 */
export function dependencyOrder(nodes: readonly DependencyNode[]): string[] {
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const ordered: string[] = [];
  const placed = new Set<string>();
  let progress = true;
  while (progress) {
    progress = false;
    for (const node of nodes) {
      if (placed.has(node.name)) continue;
      // Dependencies that are not configured cannot be waited for here; the supervisor shows them as missing.
      const ready = node.depends.every((dep) => placed.has(dep) || !byName.has(dep));
      if (ready) {
        ordered.push(node.name);
        placed.add(node.name);
        progress = true;
      }
    }
  }
  for (const node of nodes) if (!placed.has(node.name)) ordered.push(node.name);
  return ordered;
}

/** A dependency cycle as a path (`['a', 'b', 'a']`), or null. A cycle is a config error. */
export function findDependencyCycle(nodes: readonly DependencyNode[]): string[] | null {
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | null => {
    const mark = state.get(name);
    if (mark === 'done') return null;
    if (mark === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const dep of byName.get(name)?.depends ?? []) {
      if (!byName.has(dep)) continue;
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(name, 'done');
    return null;
  };
  for (const node of nodes) {
    const cycle = visit(node.name);
    if (cycle) return cycle;
  }
  return null;
}
