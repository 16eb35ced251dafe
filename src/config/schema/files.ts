import type { JsonSchema } from './jsonSchema.js';
import { account, requiredText, section } from './common.js';

// Files placed on the host (the houston seed's file deployments). A list, because order matters
// to the operator and one app may place many files; in INI each entry is a [files.<label>] section.

const fileEntry = section(
  'One file huddle writes before the app starts (and after each update): exactly one of `content` '
  + 'and `source`. A file is written only when it differs from what is on disk, and atomically '
  + '(a temporary file, fsync, rename), so a reader never sees half of it.',
  {
    path: requiredText('Where the file goes. A relative path is relative to the directory of the config file.'),
    content: {
      type: 'string',
      description: 'The text of the file. `${NAME}` is replaced from the environment as in every value '
        + '(write `$${` for a literal `${`). In INI, continuation lines are joined with newlines, lose '
        + 'their indentation and get no newline at the end: use `source` for a file where either matters.',
    },
    source: {
      type: 'string',
      format: 'inside-path',
      description: 'A file in the checkout to copy, relative to the repository\'s `local path`; it cannot '
        + 'leave the checkout (no absolute path, no `..`). Copied as it is, without `${NAME}` replacement.',
    },
    mode: {
      type: 'string',
      format: 'file-mode',
      default: '0644',
      description: 'Permissions, in octal text: `"0644"` or `"644"` (in JSON in quotes: a JSON number '
        + 'would be read in decimal).',
    },
    owner: account('Owner of the file (a user name or numeric id) when huddle runs as root. Not set: huddle\'s user.'),
    group: account('Group of the file (a name or numeric id) when huddle runs as root. Not set: huddle\'s group.'),
  },
  { required: ['path'], oneOf: [{ required: ['content'] }, { required: ['source'] }] },
);

export const filesList: JsonSchema = {
  type: 'array',
  items: fileEntry,
  default: [],
  description: 'Files huddle places on the host, such as proxy or service configs. An app may have `files` '
    + 'and no `[application]`: a file deployment, with `reload` run when a file changes. Two entries '
    + 'cannot write the same `path`.',
  'x-ini': 'one `[files.<label>]` section per file, in the order they appear; the label only names the '
    + 'entry (in messages), e.g. `[files.nginx]` with `path = …` and `source = …`',
};

export const reloadCommand: JsonSchema = requiredText(
  'Command line run after one or more of `files` changed on disk (e.g. `nginx -s reload`); not run when '
  + 'every file was already up to date. Needs `files`.');
