import { requiredText, section, text } from './common.js';

const verify = section(
  'Deploy only commits signed by a trusted key: the commit to be deployed (the tip of `branch`, or '
  + '`ref`) is verified before it is checked out, and an unsigned or untrusted commit is refused '
  + '(the running version stays). Set `allowed signers`, `gpg keyring`, or both; a commit passes '
  + 'when either trusts its signature. Relative paths are relative to the directory of the config file.',
  {
    'allowed signers': requiredText(
      'SSH signatures: an allowed-signers file (the format of git\'s `gpg.ssh.allowedSignersFile`: '
      + 'one `principal key-type key` line per trusted key).'),
    'gpg keyring': requiredText(
      'OpenPGP signatures: a GnuPG home directory whose public keyring holds the trusted keys.'),
  },
  { anyOf: [{ required: ['allowed signers'] }, { required: ['gpg keyring'] }] },
);

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
    ref: {
      type: 'string',
      format: 'git-ref',
      description: 'Pins the app to a tag (`v1.4.2`) or a commit id instead of following `branch`: '
        + 'huddle deploys the commit `ref` names and `branch` is not followed. Not set: follow `branch`.',
    },
    executable: text('The git program: a path, or a name looked up on `PATH`.', 'git'),
    type: { type: 'string', enum: ['git'], default: 'git', description: 'Kind of repository; only `git`.' },
    'discard local changes': {
      type: 'boolean',
      default: false,
      description: 'When true, local edits to tracked files are thrown away so an update can always '
        + 'be applied. When false, an update that would overwrite local edits is refused and reported.',
    },
    verify,
  },
  { required: ['remote path', 'local path'] },
);
