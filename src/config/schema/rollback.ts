import { seconds, section } from './common.js';

export const rollbackSection = section(
  'Automatic rollback of a bad update. During `probation` seconds after an update, a crash loop '
  + '(the `[restart.limit]` is reached) or an unhealthy state rolls the app back to the last good '
  + 'commit (checkout, `install`, start) and quarantines the new commit: huddle never deploys it '
  + 'again unless an operator asks for it (`huddle deploy APP COMMIT`); a later commit deploys as usual.',
  {
    enabled: {
      type: 'boolean',
      default: true,
      description: 'Whether a bad update is rolled back. False: the app stays on the new commit, failing.',
    },
    probation: seconds('Seconds after an update during which a failure rolls it back.', { default: 60 }),
  },
  { default: {} },
);
