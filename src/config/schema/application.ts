import { NON_BLANK, requiredText, seconds, section } from './common.js';
import { STOP_SIGNALS } from './signals.js';

export const applicationSection = section(
  'The program huddle starts, supervises, and restarts around each update. Without this section '
  + 'huddle only keeps the files up to date.',
  {
    start: requiredText('Command line that starts the app, e.g. `node server.js --port 8080`.'),
    cwd: {
      type: 'string',
      pattern: NON_BLANK,
      'x-default': 'the repository\'s `local path`',
      description: 'Working directory of the app. A relative path is relative to the directory of the config file, as for `local path`.',
    },
    env: {
      type: 'object',
      default: {},
      propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
      additionalProperties: { type: 'string' },
      description: 'Extra environment variables for the app, on top of huddle\'s own environment. '
        + 'Values are text.',
      'x-ini': 'a `[application.env]` section of `NAME = value` lines',
    },
    'stop signal': {
      type: 'string',
      enum: STOP_SIGNALS,
      default: 'SIGTERM',
      description: `Signal sent to the app's process group to ask it to stop: one of ${STOP_SIGNALS.join(', ')}.`,
    },
    'stop timeout': seconds(
      'Seconds to wait after the stop signal before the app\'s whole process tree is killed with SIGKILL.',
      { default: 10, zero: true }),
  },
  { required: ['start'] },
);
