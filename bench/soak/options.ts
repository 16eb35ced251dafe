import { parseArgs } from 'node:util';
import { randomSeed } from './prng.js';

export interface SoakOptions {
  minutes: number;
  seed: number;
  apps: number;
  /** Least share of time each app must serve outside planned windows. */
  minServed: number;
  /** Share of hanging hooks during which the daemon is killed too; 0: never while a hook hangs. */
  killInHook: number;
  /** Keep the temp dir afterwards, to look at the state and logs. */
  keep: boolean;
}

export const USAGE = `usage: npm run soak -- [--minutes N] [--seed S] [--apps N] [--min-served F] [--kill-in-hook P] [--keep]
  --minutes N      how long faults are injected (fractions allowed; default 5)
  --seed S         PRNG seed (printed at the start; the same seed replays the same choices)
  --apps N         number of apps (default 3)
  --min-served F   least share of time each app must serve outside planned windows (default 0.97)
  --kill-in-hook P share of hanging hooks during which the daemon is killed as well (default 0.35;
                   0: the daemon is never killed while a hook hangs, to soak everything else)
  --keep           keep the temp dir (state, logs, repositories) afterwards`;

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name}: expected a positive number, got ${JSON.stringify(text)}`);
  return value;
}

export function parseOptions(argv: string[]): SoakOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string' },
      seed: { type: 'string' },
      apps: { type: 'string' },
      'min-served': { type: 'string' },
      'kill-in-hook': { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const seed = values.seed === undefined ? randomSeed() : Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new Error(`--seed: expected an integer in [0, 2^32), got ${values.seed}`);
  const apps = positive('apps', values.apps, 3);
  if (!Number.isInteger(apps) || apps > 26) throw new Error('--apps: expected an integer from 1 to 26');
  const minServed = positive('min-served', values['min-served'], 0.97);
  if (minServed > 1) throw new Error('--min-served: a share, at most 1');
  const killInHook = values['kill-in-hook'] === undefined ? 0.35 : Number(values['kill-in-hook']);
  if (!(killInHook >= 0 && killInHook <= 1)) throw new Error('--kill-in-hook: a share from 0 to 1');
  return { minutes: positive('minutes', values.minutes, 5), seed, apps, minServed, killInHook, keep: values.keep ?? false };
}
