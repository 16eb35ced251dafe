import { readFileSync, statSync } from 'node:fs';

// The key types ssh-keygen accepts in an allowed-signers file (plain keys and certificates).
const KEY_TYPE =
  /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com)(-cert-v01@openssh\.com)?$/;

/** Split a line on blanks, keeping double-quoted parts (option values, principals) whole. */
function tokens(line: string): string[] {
  return line.match(/(?:"[^"]*"|[^\s"])+/g) ?? [];
}

/** The key blob starts with its own type as an SSH string; a corrupted or truncated key does not. */
function keyBlobMatches(type: string, base64: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return false;
  const blob = Buffer.from(base64, 'base64');
  if (blob.length < 4 + type.length) return false;
  const length = blob.readUInt32BE(0);
  const inner = type.replace(/-cert-v01@openssh\.com$/, '');
  const named = blob.subarray(4, 4 + length).toString('latin1');
  return named === type || named === inner;
}

function lineProblem(line: string): string | null {
  const parts = tokens(line);
  if (parts.length < 3) return 'expected "principals [options] key-type base64-key"';
  // Options are optional, so the key type is the second or the third field.
  const at = KEY_TYPE.test(parts[1] ?? '') ? 1 : KEY_TYPE.test(parts[2] ?? '') ? 2 : -1;
  if (at < 0) return `no known key type in the second or third field (got ${JSON.stringify(parts[1])})`;
  const type = parts[at] ?? '';
  const key = parts[at + 1];
  if (key === undefined) return `the ${type} key itself is missing`;
  if (!keyBlobMatches(type, key)) return `the ${type} key is not valid base64 of a ${type} key (damaged or truncated?)`;
  return null;
}

/**
 * Why the allowed-signers file cannot serve as a trust list, or null when it can. git hands a
 * broken file to ssh-keygen, which reports it and then treats every key as unknown: the commit
 * would look merely "untrusted" and nobody would learn the trust list itself is broken.
 */
export function allowedSignersProblem(file: string): string | null {
  let text: string;
  try {
    if (!statSync(file).isFile()) return `allowed signers file ${file} is not a regular file`;
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? `allowed signers file ${file} does not exist`
      : `allowed signers file ${file} cannot be read: ${(e as Error).message}`;
  }
  let entries = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const problem = lineProblem(line);
    if (problem) return `allowed signers file ${file} line ${i + 1}: ${problem}`;
    entries++;
  }
  return entries === 0 ? `allowed signers file ${file} lists no keys` : null;
}
