import { commandList, seconds, section } from './common.js';

export const scriptsSection = section(
  'Commands run one after another around each update, as in the original huddle.',
  {
    'pre-pull': commandList('Commands run before pulling, once the app has been stopped.'),
    'post-pull': commandList('Commands run after pulling (and after the first clone), before the app starts.'),
    timeout: seconds('Seconds each command may run before it is killed and counted as failed.', { default: 300 }),
  },
  { default: {} },
);
