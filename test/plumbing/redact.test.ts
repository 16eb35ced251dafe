import { describe, expect, it } from 'vitest';
import { redactUrls } from '../../src/util/redact.js';

describe('redactUrls', () => {
  it.each([
    ['https://user:pass@host/r.git', 'https://***@host/r.git'],
    ['https://token@host/r.git', 'https://***@host/r.git'],
    // git takes an empty user name with a token as the password (GitHub, GitLab deploy tokens).
    ['http://:S3cretT0ken@127.0.0.1:18765/remote.git', 'http://***@127.0.0.1:18765/remote.git'],
    // An unencoded @ in the password: git reads up to the last @ of the authority, so do we.
    ['https://user:p@ss@host/r.git failed', 'https://***@host/r.git failed'],
    ['fetch https://a:b@h1/x and https://c:d@h2/y', 'fetch https://***@h1/x and https://***@h2/y'],
  ])('%s', (text, expected) => {
    expect(redactUrls(text)).toBe(expected);
  });

  it('leaves URLs without credentials, and scp-style remotes, alone', () => {
    for (const text of ['https://host/r.git', 'git@github.com:o/r.git', 'ssh://host:22/r', 'mail me at a@b.c']) {
      expect(redactUrls(text)).toBe(text);
    }
  });
});
