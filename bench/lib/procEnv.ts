import { readFileSync } from 'node:fs';

/** The environment of a live process, or null when it is gone or unreadable. */
export function envOf(pid: number): Map<string, string> | null {
  try {
    const env = new Map<string, string>();
    for (const entry of readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0')) {
      const eq = entry.indexOf('=');
      if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
    }
    return env;
  } catch {
    return null;
  }
}
