import { requiredText, section, text } from './common.js';

export const repositorySection = section(
  'Where the app comes from and where its working copy lives. The only required section.',
  {
    'remote path': requiredText(
      'Where to clone and pull from: a URL (`https://…`, `ssh://…`, `git@host:org/app.git`) or a path. '
      + 'Put credentials in with `${NAME}`, e.g. `https://${GIT_TOKEN}@git.example.com/org/app.git`; '
      + 'huddle never logs them.'),
    'local path': requiredText(
      'The working copy on this machine; cloned when missing. A relative path is relative to the '
      + 'directory of the config file.'),
    remote: text('Name of the git remote.', 'origin'),
    branch: text('Branch to follow.', 'master'),
    executable: text('The git program: a path, or a name looked up on `PATH`.', 'git'),
    type: { type: 'string', enum: ['git'], default: 'git', description: 'Kind of repository; only `git`.' },
    'discard local changes': {
      type: 'boolean',
      default: false,
      description: 'When true, local edits to tracked files are thrown away so an update can always '
        + 'be applied. When false, an update that would overwrite local edits is refused and reported.',
    },
  },
  { required: ['remote path', 'local path'] },
);
