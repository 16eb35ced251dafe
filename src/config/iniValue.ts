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
