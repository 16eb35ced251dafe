// `${NAME}` and `${NAME:-default}` in config values, so tokens can live in the environment
// instead of the file. `$${` stands for a literal `${`; any other `$` is left alone (commands
// keep their `$HOME`, `$1`, `$$`). The default runs to the first `}` and is not itself expanded.

export type Interpolation = { ok: true; value: string } | { ok: false; message: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function interpolate(text: string, env: NodeJS.ProcessEnv): Interpolation {
  if (!text.includes('${')) return { ok: true, value: text };
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (!text.startsWith('${', i)) {
      out += text[i];
      i += 1;
      continue;
    }
    const end = text.indexOf('}', i + 2);
    if (end < 0) {
      return { ok: false, message: `"\${" without a closing "}" (write "$\${" for a literal "\${")` };
    }
    const inner = text.slice(i + 2, end);
    const sep = inner.indexOf(':-');
    const name = sep < 0 ? inner : inner.slice(0, sep);
    if (!NAME.test(name)) {
      return {
        ok: false,
        message: `bad reference "\${${inner}}": expected \${NAME} or \${NAME:-default}, NAME made of letters, digits and _`,
      };
    }
    const value = env[name];
    if (sep >= 0) {
      // As in the shell, `:-` also replaces a variable that is set but empty.
      out += value === undefined || value === '' ? inner.slice(sep + 2) : value;
    } else if (value === undefined) {
      return { ok: false, message: `\${${name}} is not set and has no default (write \${${name}:-value} to give one)` };
    } else {
      out += value;
    }
    i = end + 1;
  }
  return { ok: true, value: out };
}

/** Escapes text so that interpolating it gives it back unchanged. */
export function escapeInterpolation(text: string): string {
  // A function, because in a replacement string "$$" means "$".
  return text.replaceAll('${', () => '$${');
}
