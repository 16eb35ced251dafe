import { appConfigSchema } from './schema/index.js';
import { isListOfSections, typesOf, type JsonSchema } from './schema/jsonSchema.js';

// The README's config reference, generated from the schema so the two cannot drift apart
// (test/config/reference.test.ts fails when they do).

export const REFERENCE_START = '<!-- config-reference:start -->';
export const REFERENCE_END = '<!-- config-reference:end -->';

const FORMAT_WORDS: Record<string, string> = {
  'http-url': 'URL',
  'status-range': 'status range',
  host: 'host',
  'app-name': 'app name',
  'git-ref': 'tag or commit id',
  account: 'name or numeric id',
  concurrency: 'integer or percentage',
  'file-mode': 'octal mode (text)',
  'inside-path': 'path in the checkout',
};

const INTRO = `<!-- Generated from the schema (src/config/schema/) by \`npm run docs:config\`: edit the schema, not this block. -->

Each app has one config file in the config directory: \`NAME.json\` or \`NAME.ini\` (the extension in
any case). Files whose names start with \`_\` or \`.\` are skipped. The app is called \`NAME\` unless the
file sets \`name\`. Keys are lowercase words separated by spaces, as in the original huddle, whose
JSON and INI files load unchanged.

- **JSON**: one object; each section is an object inside it.
- **INI** (the dialect of Python's configparser): \`[section]\` headers, \`[a.b]\` for a section inside
  \`[a]\`; \`key = value\` or \`key: value\` (the key ends at the first \`=\` or \`:\`, so values such as
  URLs and \`C:/path\` keep theirs); whole-line \`;\` and \`#\` comments (inside a value they are part of
  it); a value continues on following lines indented deeper than its key. Values are typed by the
  schema: numbers, \`true\`/\`false\` (also \`yes\`/\`no\`, \`on\`/\`off\`, \`1\`/\`0\`), and lists separated by
  commas or written one item per continuation line. Keys and section names are case-insensitive.
  Values are taken literally: no quote stripping, no %-interpolation. Top-level keys go before the
  first section.
- **Environment**: \`\${NAME}\` in any value is replaced by the environment variable \`NAME\`, and
  \`\${NAME:-default}\` falls back to \`default\` when it is unset or empty; an unset \`\${NAME}\` without a
  default is an error. \`$\${\` stands for a literal \`\${\`; any other \`$\` is left alone.
- **Checking**: \`huddle validate PATH...\` checks files and directories; \`huddle validate --print FILE\`
  shows the config with every default filled in; \`huddle schema\` prints the JSON Schema for editors.
  Every error names the file, the key and what is wrong, e.g.
  \`web.ini: [repository] local path: required\`. (\`npm run build\` also compiles that schema into
  plain validation code, \`dist/src/config/schemaValidator.generated.js\`, which the daemon loads
  instead of ajv's compiler: the same answers, checked by a test, in less memory.)`;

function code(s: string): string {
  return s.includes('`') ? `\`\` ${s} \`\`` : `\`${s}\``;
}

function cell(s: string): string {
  return s.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function typeText(schema: JsonSchema): string {
  const types = typesOf(schema);
  if (schema.enum) {
    return schema.enum.length <= 6 ? `one of ${schema.enum.map((v) => code(String(v))).join(', ')}` : 'one of the names listed';
  }
  // Numbers that the original huddle also accepted as text are documented as numbers.
  const numeric = types.find((t) => t === 'number' || t === 'integer');
  if (numeric && types.includes('string') && schema.pattern !== undefined) return numeric;
  if (schema.format && FORMAT_WORDS[schema.format] && types.includes('string')) return FORMAT_WORDS[schema.format] ?? 'text';
  if (isListOfSections(schema)) return 'list of entries (see below)';
  if (types.includes('array')) {
    const items = schema.items ?? {};
    const item = items.format ? FORMAT_WORDS[items.format] ?? 'text' : 'text';
    return `list of ${item === 'text' ? 'text' : `${item}s`}`;
  }
  if (types.includes('object')) return 'map of text';
  const words: Record<string, string> = { string: 'text', number: 'number', integer: 'integer', boolean: '`true`/`false`' };
  return types.map((t) => words[t] ?? t).join(' or ');
}

function defaultText(schema: JsonSchema, required: boolean): string {
  if (required) return '**required**';
  if (schema['x-default'] !== undefined) return schema['x-default'];
  if (schema.default === undefined) return 'not set';
  if (Array.isArray(schema.default) && schema.default.length === 0) return 'none';
  if (typeof schema.default === 'object' && schema.default !== null) {
    return Object.keys(schema.default).length === 0 ? 'none' : code(JSON.stringify(schema.default));
  }
  return code(String(schema.default));
}

function describe(schema: JsonSchema): string {
  const parts = [schema.description ?? ''];
  if (schema['x-ini']) parts.push(`In INI: ${schema['x-ini']}.`);
  return parts.filter((p) => p !== '').join(' ');
}

/** True for sections documented with their own heading: objects with named keys. */
function hasKeys(schema: JsonSchema): boolean {
  return schema.properties !== undefined;
}

function table(schema: JsonSchema): string[] {
  const required = new Set(schema.required ?? []);
  const rows = Object.entries(schema.properties ?? {})
    .filter(([, child]) => !hasKeys(child))
    .map(([key, child]) => `| ${cell(code(key))} | ${cell(typeText(child))} | ${cell(defaultText(child, required.has(key)))} | ${cell(describe(child))} |`);
  if (rows.length === 0) return [];
  return ['| Key | Type | Default | Description |', '|---|---|---|---|', ...rows];
}

function sectionDocs(path: string[], schema: JsonSchema, required: boolean): string[] {
  const notes = [required ? 'required' : schema.default !== undefined ? 'optional, defaults apply' : 'optional'];
  if (schema.deprecated) notes.push('original huddle, deprecated');
  const lines = ['', `#### \`[${path.join('.')}]\` (${notes.join('; ')})`, '', describe(schema)];
  const rows = table(schema);
  if (rows.length > 0) lines.push('', ...rows);
  const requiredKeys = new Set(schema.required ?? []);
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    if (hasKeys(child)) lines.push(...sectionDocs([...path, key], child, requiredKeys.has(key)));
  }
  return lines;
}

/** The entries of a list of sections (`files`): one heading, as INI writes them. */
function listDocs(key: string, schema: JsonSchema): string[] {
  const items = schema.items ?? {};
  const lines = ['', `#### \`[${key}.<label>]\` (each entry of \`${key}\`)`, '', describe(items)];
  const rows = table(items);
  if (rows.length > 0) lines.push('', ...rows);
  return lines;
}

/** The Markdown reference of the config schema, as it stands between the README's markers. */
export function renderReference(schema: JsonSchema = appConfigSchema): string {
  const lines = [INTRO, '', '#### Top-level keys', '', ...table(schema)];
  const required = new Set(schema.required ?? []);
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    if (hasKeys(child)) lines.push(...sectionDocs([key], child, required.has(key)));
    else if (isListOfSections(child)) lines.push(...listDocs(key, child));
  }
  return `${lines.join('\n')}\n`;
}

/** The README with the reference block replaced, or undefined when the markers are missing. */
export function replaceReferenceBlock(readme: string, reference: string): string | undefined {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start < 0 || end < start) return undefined;
  return `${readme.slice(0, start + REFERENCE_START.length)}\n${reference}${readme.slice(end)}`;
}

/** The text currently between the README's markers, or undefined when they are missing. */
export function currentReferenceBlock(readme: string): string | undefined {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + REFERENCE_START.length + 1, end);
}
