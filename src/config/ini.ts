import { IniValue, newSection, setEntry, type IniSection } from './iniValue.js';

// A reader for the INI dialect of Python's configparser (which the original huddle used), so
// existing files load unchanged: `key = value` and `key: value` (the key ends at the first `=` or
// `:`, so values keep theirs: URLs, `C:/path`), whole-line `;` and `#` comments (a `;` or `#`
// inside a value is part of it), indented continuation lines, and no quote stripping or
// %-interpolation. Additions: `[a.b]` nests a section in `[a]`; keys before the first section
// are top-level keys. Section names are case-insensitive, as keys are (see coerce.ts).

export interface IniProblem { line: number; message: string }

export interface IniDocument { root: IniSection; problems: IniProblem[] }

const SECTION = /^\[(.*)\]\s*(?:[;#].*)?$/;
const OPTION = /^(.*?)\s*([=:])\s*(.*)$/;

function quote(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);
}

export function parseIni(source: string): IniDocument {
  const problems: IniProblem[] = [];
  const root = newSection();
  const sectionLines = new Map<string, number>();
  const keyLines = new Map<IniSection, Map<string, number>>();

  let current: IniSection = root;
  let currentName = '';
  // The option being read, whose continuation lines may follow.
  let option: { lines: string[]; indent: number; line: number; key: string } | undefined;

  const finishOption = () => {
    if (!option) return;
    // configparser drops trailing blank lines of a value.
    while (option.lines.length > 1 && option.lines[option.lines.length - 1] === '') option.lines.pop();
    // A value that starts on the next line (`key =` then indented lines) has an empty first line.
    const lines = option.lines.length > 1 && option.lines[0] === '' ? option.lines.slice(1) : option.lines;
    setEntry(current, option.key, new IniValue(lines, option.line));
    option = undefined;
  };

  const enterSection = (rawName: string, lineNo: number) => {
    const parts = rawName.split('.').map((p) => p.trim().toLowerCase());
    if (parts.some((p) => p === '')) {
      problems.push({ line: lineNo, message: `bad section name [${rawName}]` });
      return false;
    }
    const name = parts.join('.');
    const first = sectionLines.get(name);
    if (first !== undefined) {
      problems.push({ line: lineNo, message: `section [${name}] appears twice (first on line ${first})` });
      return false;
    }
    sectionLines.set(name, lineNo);
    let node = root;
    for (const [i, part] of parts.entries()) {
      const existing = node[part];
      if (existing instanceof IniValue) {
        const owner = parts.slice(0, i).join('.');
        problems.push({
          line: lineNo,
          message: `[${name}] clashes with the key "${part}"${owner ? ` in [${owner}]` : ''} on line ${existing.line}`,
        });
        return false;
      }
      if (existing === undefined) setEntry(node, part, newSection());
      node = node[part] as IniSection;
    }
    current = node;
    currentName = name;
    return true;
  };

  const lines = source.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  // After a bad section header, its keys are skipped: they would land in the wrong place.
  let skipping = false;
  for (const [index, raw] of lines.entries()) {
    const lineNo = index + 1;
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    if (trimmed === '') {
      option?.lines.push('');
      continue;
    }
    const indent = raw.length - raw.trimStart().length;
    if (option && indent > option.indent) {
      option.lines.push(trimmed);
      continue;
    }
    finishOption();

    const header = SECTION.exec(trimmed);
    if (header) {
      skipping = !enterSection(header[1] ?? '', lineNo);
      continue;
    }
    if (skipping) continue;
    const match = OPTION.exec(trimmed);
    const key = match?.[1]?.trim() ?? '';
    if (!match || key === '') {
      problems.push({
        line: lineNo,
        message: match
          ? `missing key before "${match[2]}"`
          : `expected "key = value", "key: value" or "[section]", got ${quote(trimmed)}`,
      });
      continue;
    }
    let seen = keyLines.get(current);
    if (!seen) keyLines.set(current, (seen = new Map()));
    const first = seen.get(key);
    if (first !== undefined) {
      const where = currentName ? ` in [${currentName}]` : '';
      problems.push({ line: lineNo, message: `key "${key}"${where} appears twice (first on line ${first})` });
      continue;
    }
    const existing = current[key];
    if (existing !== undefined) {
      // Only a sub-section can be there: `[a.b]` came before a key `b` in `[a]`.
      problems.push({ line: lineNo, message: `key "${key}" clashes with the section [${currentName ? `${currentName}.` : ''}${key}]` });
      continue;
    }
    seen.set(key, lineNo);
    option = { lines: [match[3] ?? ''], indent, line: lineNo, key };
  }
  finishOption();
  return { root, problems };
}
