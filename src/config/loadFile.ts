import { readFileSync, statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { coerceToSchema, type SourceFormat } from './coerce.js';
import { parseIni } from './ini.js';
import { parseJson } from './json.js';
import { describePath } from './keyPath.js';
import { translateAjvErrors } from './messages.js';
import { normalise, orderBySchema } from './normalise.js';
import { toPointer, type PathProblem } from './pathProblem.js';
import { appConfigSchema } from './schema/index.js';
import type { AppConfig, ConfigError, LoadResult } from './types.js';
import { validateAgainstSchema } from './validator.js';

/** Config files are small; a bigger file is a mistake (or not a config) and is not read. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** The format of a config file from its extension (case-insensitive), if it has a known one. */
export function formatOfFile(file: string): SourceFormat | undefined {
  const ext = extname(file).toLowerCase();
  return ext === '.json' ? 'json' : ext === '.ini' ? 'ini' : undefined;
}

function fail(file: string, problems: readonly { path: string; message: string }[]): LoadResult {
  return { ok: false, errors: problems.map((p): ConfigError => ({ file, path: p.path, message: p.message })) };
}

/**
 * Loads one app config from its text. `file` names it in errors and gives the default app name.
 * Never throws: every problem comes back as a ConfigError.
 */
export function loadConfigText(text: string, format: SourceFormat, file: string,
  env: NodeJS.ProcessEnv = process.env): LoadResult {
  let raw: unknown;
  if (format === 'json') {
    const parsed = parseJson(text);
    if (!parsed.ok) return fail(file, [{ path: parsed.where, message: parsed.message }]);
    raw = parsed.value;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return fail(file, [{ path: '', message: 'the file must hold one JSON object ({ ... }) with the config\'s sections' }]);
    }
  } else {
    const parsed = parseIni(text);
    if (parsed.problems.length > 0) {
      return fail(file, parsed.problems.map((p) => ({ path: `line ${p.line}`, message: p.message })));
    }
    raw = parsed.root;
  }

  const coerced = coerceToSchema(raw, appConfigSchema, format, env);
  const data = coerced.data;
  const schemaProblems = translateAjvErrors(validateAgainstSchema(data), coerced.templates);
  // A value that failed to expand is also the wrong type; saying so twice helps nobody.
  const reported = new Set(coerced.problems.map((p) => toPointer(p.path)));
  const problems = [...coerced.problems, ...schemaProblems.filter((p) => !reported.has(toPointer(p.path)))];
  if (problems.length > 0) return fail(file, describe(problems, data, coerced.labels));

  const baseName = basename(file, extname(file));
  const normalised = normalise(data as Record<string, unknown>, baseName);
  if (normalised.problems.length > 0) return fail(file, describe(normalised.problems, data, coerced.labels));

  // Second pass: fills the defaults of a section built from a watchdog, and checks that what
  // huddle hands on is itself a valid config.
  const recheck = translateAjvErrors(validateAgainstSchema(normalised.config), new Map());
  if (recheck.length > 0) {
    return fail(file, describe(recheck, normalised.config, coerced.labels).map((p) => ({ ...p, message: `${p.message} (after normalising)` })));
  }
  const config = orderBySchema(normalised.config, appConfigSchema) as AppConfig;
  return { ok: true, app: { file, config } };
}

function describe(problems: PathProblem[], data: unknown, labels: ReadonlyMap<string, string>): { path: string; message: string }[] {
  const seen = new Set<string>();
  const out: { path: string; message: string }[] = [];
  for (const problem of problems) {
    const path = describePath(problem.path, appConfigSchema, data, labels);
    const key = `${path}\n${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, message: problem.message });
  }
  return out;
}

/** Loads one app config file (`*.json` or `*.ini`). Never throws. */
export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): LoadResult {
  const absolute = resolve(file);
  const format = formatOfFile(absolute);
  if (!format) return fail(absolute, [{ path: '', message: 'not a config file: the name must end in .json or .ini' }]);
  let text: string;
  try {
    const size = statSync(absolute).size;
    if (size > MAX_CONFIG_BYTES) {
      return fail(absolute, [{ path: '', message: `the file is too big for a config (${size} bytes; at most ${MAX_CONFIG_BYTES})` }]);
    }
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    return fail(absolute, [{ path: '', message: `cannot read the file: ${reason}` }]);
  }
  try {
    return loadConfigText(text, format, absolute, env);
  } catch (error) {
    // loadConfigText is built (and fuzz-tested) not to throw; if it ever does, one bad file
    // must still not stop the others.
    return fail(absolute, [{ path: '', message: `internal error while loading (please report): ${(error as Error).message}` }]);
  }
}
