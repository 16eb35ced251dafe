import { seconds, section } from './common.js';

const backoff = section(
  'Delay before each restart. The first restart after a stable run waits `first` seconds (none by '
  + 'default: a one-off crash costs no more than the restart itself); each further restart in a row '
  + 'waits `initial` seconds multiplied by `factor` per restart, capped at `max`, and varied randomly by '
  + '±`jitter` so a fleet does not restart in step. Once the app has stayed up for `reset after` '
  + 'seconds the next restart is a first one again.',
  {
    first: seconds('Delay before the first restart after a stable run, in seconds.', { default: 0, zero: true }),
    initial: seconds('Delay before the second restart in a row, in seconds.', { default: 1 }),
    factor: { type: 'number', minimum: 1, maximum: 100, default: 2, description: 'Growth of the delay per restart (1 keeps it constant).' },
    max: seconds('Longest delay, in seconds.', { default: 60 }),
    jitter: { type: 'number', minimum: 0, maximum: 1, default: 0.1, description: 'Random variation as a fraction of the delay: 0.1 is ±10%.' },
    'reset after': seconds('Seconds of uptime after which the next restart is a first one again.', { default: 60, zero: true }),
  },
  { default: {} },
);

const limit = section(
  'Gives up on an app that keeps failing: after `restarts` restarts within `window` seconds huddle '
  + 'stops restarting it and reports it as failed, until its next update or a restart of huddle.',
  {
    restarts: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 5, description: 'Restarts allowed within `window`; 0 means no limit.' },
    window: seconds('Length of the window, in seconds.', { default: 60 }),
  },
  { default: {} },
);

export const restartSection = section(
  'What huddle does when the app exits or becomes unhealthy.',
  {
    policy: {
      type: 'string',
      enum: ['always', 'on-failure', 'never'],
      default: 'always',
      description: '`always`: restart whenever the app exits or is unhealthy; `on-failure`: only after '
        + 'a non-zero exit, a death by signal, or an unhealthy check; `never`: leave it stopped.',
    },
    backoff,
    limit,
  },
  { default: {} },
);
