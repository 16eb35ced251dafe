// What the INI reader produces before the schema gives values their types: text, as written,
// remembering whether it spanned continuation lines (a list written one item per line).

export class IniValue {
  constructor(
    /** The value's lines: one for `key = value`, more when indented continuation lines follow. */
    readonly lines: readonly string[],
    /** Line number of the `key = value` line, for messages. */
    readonly line: number,
  ) {}

  /** The value as one string; continuation lines are joined with newlines, as configparser does. */
  get text(): string {
    return this.lines.join('\n');
  }

  get multiline(): boolean {
    return this.lines.length > 1;
  }
}

/** An INI section: null-prototype so keys such as `__proto__` are plain keys. */
export type IniSection = { [key: string]: IniSection | IniValue };

export function newSection(): IniSection {
  return Object.create(null) as IniSection;
}

// Keys in the order they appear in the file. An object lists integer-like keys first, in numeric
// order, so `[files.b]` before `[files.1]` would otherwise swap; the order of `files` is the file's.
const keyOrder = new WeakMap<IniSection, string[]>();

/** Adds a key to a section, remembering where it came in the file. */
export function setEntry(section: IniSection, key: string, value: IniSection | IniValue): void {
  if (!Object.hasOwn(section, key)) {
    const keys = keyOrder.get(section);
    if (keys) keys.push(key);
    else keyOrder.set(section, [key]);
  }
  section[key] = value;
}

/** A section's entries in the order they appear in the file. */
export function entriesInOrder(section: IniSection): [string, IniSection | IniValue][] {
  const keys = keyOrder.get(section) ?? Object.keys(section);
  return keys.filter((key) => Object.hasOwn(section, key)).map((key) => [key, section[key] as IniSection | IniValue]);
}
