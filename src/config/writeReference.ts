#!/usr/bin/env node
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { currentReferenceBlock, renderReference, replaceReferenceBlock } from './reference.js';

// Regenerates the README's config reference from the schema:
//   node dist/src/config/writeReference.js [README.md] [--check]
// --check only reports (exit 1) when the README is out of date.

const args = process.argv.slice(2);
const check = args.includes('--check');
const file = resolve(args.find((a) => !a.startsWith('--')) ?? 'README.md');
const readme = readFileSync(file, 'utf8');
const reference = renderReference();
const updated = replaceReferenceBlock(readme, reference);
if (updated === undefined) {
  process.stderr.write(`${file}: the markers <!-- config-reference:start --> and <!-- config-reference:end --> are missing\n`);
  process.exitCode = 1;
} else if (check) {
  const current = currentReferenceBlock(readme);
  if (current !== reference) {
    process.stderr.write(`${file}: the config reference is out of date; run npm run docs:config\n`);
    process.exitCode = 1;
  }
} else if (updated !== readme) {
  writeFileSync(file, updated);
  process.stdout.write(`${file}: config reference updated\n`);
} else {
  process.stdout.write(`${file}: config reference already up to date\n`);
}
