import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IdResolver, parseIdDatabase } from '../../../src/files/index.js';
import { makeTempDir, removeTempDirs } from '../../fixtures/git/tempDirs.js';

afterEach(removeTempDirs);

describe('owner and group resolution', () => {
  it('parses passwd-style lines, skipping comments, blanks and malformed lines', () => {
    const ids = parseIdDatabase('# c\nroot:x:0:0:root:/root:/bin/sh\n\nbroken\nweb:x:abc:1\nwww-data:x:33:33::/:/bin/false\nroot:x:7:7\n');
    expect([...ids]).toEqual([
      ['root', 0],
      ['www-data', 33],
    ]);
  });

  it('resolves names from the given files and numeric ids without them', async () => {
    const dir = await makeTempDir('huddle-ids-');
    const passwd = join(dir, 'passwd');
    const group = join(dir, 'group');
    await writeFile(passwd, 'deploy:x:1201:1201::/home/deploy:/bin/sh\n');
    await writeFile(group, 'web:x:1300:deploy\n');
    const ids = new IdResolver(passwd, group);
    expect(await ids.user('deploy')).toEqual({ ok: true, id: 1201 });
    expect(await ids.group('web')).toEqual({ ok: true, id: 1300 });
    expect(await ids.user('4242')).toEqual({ ok: true, id: 4242 });
    expect(await ids.user('web')).toEqual({ ok: false, message: `unknown user "web" (not in ${passwd})` });
    expect(await ids.user('4294967295')).toMatchObject({ ok: false });
    expect(await new IdResolver(join(dir, 'none')).user('x')).toMatchObject({ ok: false, message: expect.stringMatching(/cannot read/) });
  });
});
