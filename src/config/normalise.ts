import { FORMATS, formatPercentage, formatStatusRange, isAppName, parseStatusRange } from './formats.js';
import { watchdogToHealth, type Watchdog } from './legacy.js';
import { canonicalAccount, normaliseFiles } from './normaliseFiles.js';
import { setOwn, type PathProblem } from './pathProblem.js';
import { quote } from './quote.js';
import type { JsonSchema } from './schema/jsonSchema.js';

// From a file that passed the schema to the normalised AppConfig: the rules that tie one key to
// another (which a JSON Schema cannot say), defaults computed from other values, and the
// original huddle's watchdog mapped onto `health`.

const DEFAULT_INTERVAL = 60;

// The validated file, loosely typed: every section is optional here.
type Checked = Record<string, unknown>;

function sectionOf(data: Checked, key: string): Record<string, unknown> | undefined {
  const value = data[key];
  return typeof value === 'object' && value !== null ? value as Record<string, unknown> : undefined;
}

function timing(data: Checked, problems: PathProblem[]): { minimum: number; maximum: number; watch: boolean } {
  const section = sectionOf(data, 'timing') ?? {};
  const watch = (section['watch'] as boolean | undefined) ?? true;
  return { ...interval(section, problems), watch };
}

function interval(section: Checked, problems: PathProblem[]): { minimum: number; maximum: number } {
  const min = section['minimum'] as number | undefined;
  const max = section['maximum'] as number | undefined;
  if (min !== undefined && max !== undefined) {
    if (min > max) problems.push({ path: ['timing', 'minimum'], message: `must not be greater than maximum (${max}), got ${min}` });
    return { minimum: min, maximum: max };
  }
  if (min !== undefined) return { minimum: min, maximum: min };
  if (max !== undefined) return { minimum: Math.min(DEFAULT_INTERVAL, max), maximum: max };
  return { minimum: DEFAULT_INTERVAL, maximum: DEFAULT_INTERVAL };
}

function appName(data: Checked, baseName: string, problems: PathProblem[]): string {
  if (typeof data['name'] === 'string') return data['name'];
  if (!isAppName(baseName)) {
    problems.push({
      path: ['name'],
      message: `the file name gives the app name ${quote(baseName)}, which ${FORMATS['app-name']?.message ?? 'is not valid'}; `
        + 'rename the file or set name',
    });
  }
  return baseName;
}

/**
 * Applies the cross-key rules and computed defaults. `data` has passed the schema (with its
 * literal defaults filled in); the result still has to pass it once more, which fills the
 * defaults of a health section made from a watchdog.
 */
export function normalise(data: Checked, baseName: string): { config: Record<string, unknown>; problems: PathProblem[] } {
  const problems: PathProblem[] = [];
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) setOwn(config, key, value);
  delete config['$schema'];

  config['name'] = appName(data, baseName, problems);
  const depends = (data['depends'] as string[] | undefined) ?? [];
  if (depends.includes(config['name'] as string)) {
    problems.push({ path: ['depends'], message: `lists the app itself (${quote(config['name'] as string)})` });
  }
  config['timing'] = timing(data, problems);

  const backoff = sectionOf(sectionOf(data, 'restart') ?? {}, 'backoff');
  if (backoff && (backoff['initial'] as number) > (backoff['max'] as number)) {
    problems.push({
      path: ['restart', 'backoff', 'initial'],
      message: `must not be greater than max (${String(backoff['max'])}), got ${String(backoff['initial'])}`,
    });
  }

  const watchdog = sectionOf(data, 'watchdog');
  delete config['watchdog'];
  if (watchdog && sectionOf(data, 'health')) {
    problems.push({
      path: ['watchdog'],
      message: 'cannot be combined with [health]: [watchdog] is the original huddle\'s health check; keep only one',
    });
  } else if (watchdog) {
    const mapped = watchdogToHealth(watchdog as unknown as Watchdog);
    problems.push(...mapped.problems);
    if (mapped.health) config['health'] = { ...mapped.health };
  }

  const http = sectionOf(sectionOf(config, 'health') ?? {}, 'http');
  if (http && http['status'] !== undefined) {
    http['status'] = formatStatusRange(parseStatusRange(String(http['status'])));
  }

  const application = sectionOf(data, 'application');
  const repository = sectionOf(data, 'repository');
  if (application && application['cwd'] === undefined) application['cwd'] = repository?.['local path'];
  for (const key of ['user', 'group']) {
    if (application?.[key] !== undefined) application[key] = canonicalAccount(application[key]);
  }

  const rollout = sectionOf(data, 'rollout');
  if (rollout && typeof rollout['max concurrent'] === 'string') {
    rollout['max concurrent'] = formatPercentage(rollout['max concurrent']);
  }

  const files = Array.isArray(data['files']) ? data['files'] as Record<string, unknown>[] : [];
  normaliseFiles(files, data['reload'], problems);

  return { config, problems };
}

/** A copy of `value` with keys in the schema's order (maps keep theirs), so output is stable. */
export function orderBySchema(value: unknown, schema: JsonSchema | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => orderBySchema(item, schema?.items));
  if (typeof value !== 'object' || value === null) return value;
  const source = value as Record<string, unknown>;
  const out = {};
  const properties = schema?.properties ?? {};
  for (const key of Object.keys(properties)) {
    if (Object.hasOwn(source, key)) setOwn(out, key, orderBySchema(source[key], properties[key]));
  }
  const rest = typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  for (const key of Object.keys(source)) {
    if (!Object.hasOwn(properties, key)) setOwn(out, key, orderBySchema(source[key], rest));
  }
  return out;
}
