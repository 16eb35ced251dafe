import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AppPersisted } from '../../machines/app.types.js';
import { TEMP_SUFFIX } from '../../src/util/atomicWrite.js';

// The daemon's state files must parse at every moment, whatever was killed when: they are written
// atomically. Reads the per-app state and process records and the daemon lock generations.

export interface StateFilesReading {
  /** Files that did not parse, with why. */
  unreadable: Array<{ file: string; error: string }>;
  /** Files the daemon itself moved aside as corrupt. */
  corrupt: string[];
  /** Each app's persisted state, by app name. */
  persisted: Map<string, AppPersisted>;
  filesRead: number;
}

async function readJson(file: string): Promise<{ value: unknown } | { error: string } | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    // Replaced or removed between the listing and the read: nothing to judge.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return { error: (error as Error).message };
  }
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { error: `${(error as Error).message}; content: ${JSON.stringify(text.slice(0, 200))}` };
  }
}

async function list(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

export async function readStateFiles(stateDir: string): Promise<StateFilesReading> {
  const reading: StateFilesReading = { unreadable: [], corrupt: [], persisted: new Map(), filesRead: 0 };
  const appsDir = path.join(stateDir, 'apps');
  const files = [
    ...(await list(appsDir)).map((name) => path.join(appsDir, name)),
    ...(await list(stateDir)).filter((name) => /^daemon\.lock\.\d+$/.test(name)).map((name) => path.join(stateDir, name)),
  ];
  for (const file of files) {
    const name = path.basename(file);
    if (name.includes('.corrupt-')) {
      reading.corrupt.push(file);
      continue;
    }
    if (TEMP_SUFFIX.test(name) || !/\.json$|^daemon\.lock\.\d+$/.test(name)) continue;
    const result = await readJson(file);
    if (result === null) continue;
    reading.filesRead++;
    if ('error' in result) {
      reading.unreadable.push({ file, error: result.error });
      continue;
    }
    const record = result.value as { app?: unknown; state?: unknown };
    if (!name.endsWith('.pid.json') && name.endsWith('.json') && typeof record.app === 'string') {
      reading.persisted.set(record.app, record.state as AppPersisted);
    }
  }
  return reading;
}
