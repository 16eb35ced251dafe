import type { JsonSchema } from './jsonSchema.js';
import { applicationSection } from './application.js';
import { filesList, reloadCommand } from './files.js';
import { healthSection } from './health.js';
import { repositorySection } from './repository.js';
import { restartSection } from './restart.js';
import { rollbackSection } from './rollback.js';
import { rolloutSection } from './rollout.js';
import { scriptsSection } from './scripts.js';
import { timingSection } from './timing.js';
import { watchdogSection } from './watchdog.js';

/**
 * The sections of an app config, in the order they are documented and printed. A new section is
 * one schema file plus one line here (and its field in types.ts): the INI reader, the type
 * coercion, the error messages and the README reference all follow the schema. `files` is a list
 * of sections (`[files.<label>]` in INI).
 */
export const SECTIONS: Record<string, JsonSchema> = {
  repository: repositorySection,
  timing: timingSection,
  application: applicationSection,
  health: healthSection,
  restart: restartSection,
  rollback: rollbackSection,
  rollout: rolloutSection,
  scripts: scriptsSection,
  files: filesList,
  watchdog: watchdogSection,
};

/** The JSON Schema of an app config file: the single source of keys, types, defaults and docs. */
export const appConfigSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'huddle app config',
  description: 'One application managed by huddle: where its code comes from, how often to look for '
    + 'updates, how to run it, check it and restart it, and which files to place on the host.',
  type: 'object',
  additionalProperties: false,
  required: ['repository'],
  properties: {
    $schema: {
      type: 'string',
      description: 'Ignored by huddle: lets an editor find this schema (`huddle schema > huddle.schema.json`).',
    },
    name: {
      type: 'string',
      format: 'app-name',
      'x-default': 'the file\'s base name (`web.ini` is `web`)',
      description: 'The app\'s name in logs, status and `depends`; unique within the config directory. '
        + 'Letters, digits, spaces, `.`, `_` and `-`.',
    },
    depends: {
      type: 'array',
      items: { type: 'string', format: 'app-name' },
      uniqueItems: true,
      default: [],
      description: 'Names of other apps in the same config directory that must be running before this '
        + 'one starts. Unknown names and cycles are errors.',
      'x-ini': 'a top-level line before the first section: `depends = db, cache`',
    },
    reload: reloadCommand,
    ...SECTIONS,
  },
};
