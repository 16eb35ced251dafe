// The README shows the application chart; it must be the chart the code runs.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { appMachine } from '../../machines/index.js';
import { toMermaid } from '../../src/chart/index.js';

it('the README application chart is the one derived from appMachine', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = /<!-- app-chart:start -->\n```mermaid\n([\s\S]*?)```\n<!-- app-chart:end -->/.exec(readme)?.[1];
  expect(block, 'README.md lacks the app-chart block').toBeDefined();
  expect(block, 'README chart is stale: paste the output of `node dist/src/cli/main.js chart app`').toBe(
    toMermaid(appMachine),
  );
});
