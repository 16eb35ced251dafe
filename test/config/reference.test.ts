import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { currentReferenceBlock, renderReference, replaceReferenceBlock } from '../../src/config/reference.js';
import { appConfigSchema } from '../../src/config/index.js';
import type { JsonSchema } from '../../src/config/schema/jsonSchema.js';

const README = new URL('../../README.md', import.meta.url);

function leaves(schema: JsonSchema, path: string[] = []): [string, JsonSchema][] {
  return Object.entries(schema.properties ?? {}).flatMap(([key, child]) => {
    if (child.properties) return leaves(child, [...path, key]);
    const here = [[[...path, key].join(' / '), child] as [string, JsonSchema]];
    // A list of sections (`files`): its entries' keys are documented too.
    return child.items?.properties ? [...here, ...leaves(child.items, [...path, key, '<entry>'])] : here;
  });
}

describe('config reference', () => {
  it('in the README matches the schema', () => {
    const block = currentReferenceBlock(readFileSync(README, 'utf8'));
    expect(block, 'README.md lacks the <!-- config-reference:start/end --> markers').toBeDefined();
    expect(block, 'The README config reference is out of date: run `npm run build && node dist/src/config/writeReference.js` (or `npm run docs:config`) and commit README.md')
      .toBe(renderReference());
  });

  it('documents every key, with a default unless the key is required or optional text', () => {
    for (const [key, schema] of leaves(appConfigSchema)) {
      expect(schema.description, `${key} has no description`).toBeTruthy();
    }
    const text = renderReference();
    for (const section of ['[repository]', '[timing]', '[application]', '[health.http]', '[health.tcp]', '[restart.backoff]', '[restart.limit]', '[scripts]', '[watchdog]',
      '[repository.verify]', '[rollback]', '[files.<label>]']) {
      expect(text).toContain(`#### \`${section}\``);
    }
    for (const key of ['`ref`', '`install`', '`install timeout`', '`user`', '`probation`', '`reload`', '`files`', '`mode`']) {
      expect(text).toContain(`| ${key} |`);
    }
  });

  it('replaces only the text between the markers', () => {
    const readme = 'intro\n<!-- config-reference:start -->\nold\n<!-- config-reference:end -->\nrest\n';
    expect(replaceReferenceBlock(readme, 'new\n')).toBe('intro\n<!-- config-reference:start -->\nnew\n<!-- config-reference:end -->\nrest\n');
    expect(replaceReferenceBlock('no markers', 'x')).toBeUndefined();
  });
});
