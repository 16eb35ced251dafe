import { NON_BLANK, account, requiredText, seconds, section } from './common.js';
import { STOP_SIGNALS } from './signals.js';

export const applicationSection = section(
  'The program huddle starts, supervises, and restarts around each update. Without this section '
  + 'huddle only keeps the files up to date.',
  {
    start: requiredText(
      'Shell command line that starts the app, e.g. `node server.js --port 8080`. A program with plain arguments is '
      + 'started directly (the shell would change nothing; one exec less per start); anything else runs through `/bin/sh -c`.',
    ),
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
    install: requiredText(
      'Command line that installs or builds the app (e.g. `npm ci`, `pip install -r requirements.txt`), '
      + 'run in `cwd` after each update, before the app starts; when it fails, the update fails. '
      + 'Not set: nothing is run.'),
    'install timeout': seconds(
      'Seconds `install` may run before it is killed and the update counts as failed.', { default: 600 }),
    // Least privilege: dropping root is the effects' job; the config only names who to become.
    user: account(
      'User the app, its `install` command and its scripts run as when huddle runs as root: a name or '
      + 'a numeric id. Not set: huddle\'s own user.'),
    group: account(
      'Group the app, its `install` command and its scripts run as when huddle runs as root: a name or '
      + 'a numeric id. Not set: the primary group of `user`, or huddle\'s own group when `user` is not set.'),
  },
  { required: ['start'] },
);
