// Credentials reach huddle through remote URLs (https://user:token@host/…) and env values; every
// string that leaves the process (log line, status, error) goes through here first.

// Up to the last @ of the authority (as git reads it): an empty user name (`https://:token@`) and
// an unencoded @ in a password are hidden whole.
// The lookbehind starts a scheme only where a word starts: no retry inside one (linear time).
const URL_CREDENTIALS = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/)[^/\s@]*(?:@[^/\s@]*)*@/gi;

/** Replace `user:pass@` (or `token@`) in every URL inside `text` with `***@`. */
export function redactUrls(text: string): string {
  return text.replace(URL_CREDENTIALS, '$1***@');
}

/** Redact URLs and every literal secret (for example env values named *TOKEN*, *PASSWORD*). */
export function redact(text: string, secrets: Iterable<string> = []): string {
  let out = redactUrls(text);
  for (const secret of secrets) {
    // Short values would blank out ordinary words; they are not worth hiding.
    if (secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}

const SECRET_NAME = /(pass(word)?|secret|token|key|credential|auth)/i;

/** The values of env entries whose names suggest a secret. */
export function secretValues(env: Record<string, string> | undefined): string[] {
  if (!env) return [];
  return Object.entries(env)
    .filter(([name]) => SECRET_NAME.test(name))
    .map(([, value]) => value);
}
