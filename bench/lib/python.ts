import { execFileSync } from 'node:child_process';

let resolved: string | undefined;

/**
 * The Python interpreter's real path. `python3` on PATH may be a shim (pyenv's is a shell script
 * that adds ~100 ms to every start), which would be measured as the app's start time.
 */
export function pythonExecutable(): string {
  resolved ??= execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  if (!resolved) throw new Error('python3 is needed for the bench app');
  return resolved;
}
