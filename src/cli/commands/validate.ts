import { statSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import {
  configToJson, formatConfigError, listConfigFiles, loadConfigDir, loadConfigFile, type ConfigError,
} from '../../config/index.js';

export interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

const stdio: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** A path as the operator would type it: relative to the working directory when inside it. */
function shown(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Verdicts for the files of one directory, checked together as huddle loads them. */
function checkDirectory(dir: string, env: NodeJS.ProcessEnv, io: Output): boolean {
  let files: string[];
  try {
    files = listConfigFiles(dir);
  } catch (error) {
    io.out(`${dir}: cannot read the directory: ${(error as Error).message}`);
    return false;
  }
  if (files.length === 0) {
    io.out(`${dir}: no app configs (*.json, *.ini not starting with _ or .)`);
    return false;
  }
  const { errors } = loadConfigDir(dir, env);
  const byFile = new Map<string, ConfigError[]>();
  for (const error of errors) byFile.set(error.file, [...(byFile.get(error.file) ?? []), error]);
  for (const file of files) report(file, byFile.get(file), io);
  return errors.length === 0;
}

function report(file: string, errors: ConfigError[] | undefined, io: Output): void {
  if (!errors || errors.length === 0) io.out(`${shown(file)}: ok`);
  else for (const error of errors) io.out(formatConfigError(error, shown(error.file)));
}

/** `huddle validate`: returns the exit status (0 when every file is valid). */
export function runValidate(paths: string[], options: { print?: boolean }, io: Output = stdio,
  env: NodeJS.ProcessEnv = process.env): number {
  if (options.print) {
    const [file] = paths;
    if (paths.length !== 1 || file === undefined || isDirectory(file)) {
      io.err('huddle validate --print takes exactly one config file');
      return 1;
    }
    const result = loadConfigFile(file, env);
    if (!result.ok) {
      for (const error of result.errors) io.err(formatConfigError(error, shown(error.file)));
      return 1;
    }
    io.out(configToJson(result.app.config).trimEnd());
    return 0;
  }
  let allValid = true;
  for (const path of paths) {
    if (isDirectory(path)) {
      allValid = checkDirectory(path, env, io) && allValid;
      continue;
    }
    const result = loadConfigFile(path, env);
    report(result.ok ? result.app.file : path, result.ok ? undefined : result.errors, io);
    allValid = result.ok && allValid;
  }
  return allValid ? 0 : 1;
}

export { registerValidate } from './validateCommand.js';
