import { seconds, section } from './common.js';

export const timingSection = section(
  'How often to look for new commits. Each wait is random between `minimum` and `maximum` seconds '
  + '(fractions allowed), so a fleet does not hit the git server all at once. No `[timing]` section: '
  + 'every 60 s. Only `minimum`: a fixed interval. `minimum` greater than `maximum` is an error.',
  {
    minimum: seconds('Shortest wait between checks, in seconds.',
      { 'x-default': '60, or `maximum` when that is smaller' }),
    maximum: seconds('Longest wait between checks, in seconds.', { 'x-default': '`minimum`' }),
    watch: {
      type: 'boolean',
      default: true,
      description: 'When `remote path` is a repository on this machine (a bare repository pushed to, '
        + 'say), also watch its branch and check at once when it moves, instead of at the next poll.',
    },
  },
);
