import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { directArgv, shellPwd } from '../../src/process/directCommand.js';
import { makeTempDir, removeTempDirs } from '../fixtures/git/tempDirs.js';

afterEach(removeTempDirs);

const env = { PATH: '/usr/bin:/bin' };

describe('directArgv: commands started without the shell', () => {
  it('splits a program and plain or literally quoted arguments as the shell would', () => {
    expect(directArgv('python3 app.py', env)).toEqual(['python3', 'app.py']);
    expect(directArgv("  '/opt/my venv/bin/python3'\tapp.py --port=8000  ", env)).toEqual(['/opt/my venv/bin/python3', 'app.py', '--port=8000']);
    expect(directArgv('node "server.js" a\'b c\'d -x:1,2 user@host 50%', env)).toEqual(['node', 'server.js', 'ab cd', '-x:1,2', 'user@host', '50%']);
    expect(directArgv("printenv ''", env)?.at(-1)).toBe('');
    expect(directArgv('./bin/start', {})).toEqual(['./bin/start']);
  });

  it('leaves to the shell whatever it would expand, redirect, interpret or look up differently', () => {
    for (const command of [
      '', '   ', 'node $APP', 'node "$APP"', 'node "a\\b"', 'node `x`', 'node a*.js', 'node ?', 'node [ab]', 'node ~/app.js',
      'node app.js > out.log', 'node app.js 2>&1', 'a && b', 'a | b', 'a; b', 'a &', '(a)', '{ a; }', 'node app.js # comment',
      "node 'unterminated", 'node "unterminated', 'PORT=1 node app.js', 'exec node app.js', 'cd sub', 'echo hi', 'true', 'test -f x',
      'ulimit -n 1024', 'if', 'source env.sh', '. env.sh', 'node a\\ b',
    ]) {
      expect(directArgv(command, env), command).toBeUndefined();
    }
    // Without PATH, execvp and the shell would search different default lists.
    expect(directArgv('python3 app.py', {})).toBeUndefined();
  });
});

describe('shellPwd: the PWD the app gets, as dash exports it', () => {
  it('matches /bin/sh for a directory reached through a symlink, with a stale or a matching PWD inherited', async () => {
    const root = await makeTempDir();
    const real = join(root, 'real');
    mkdirSync(real);
    const link = join(root, 'link');
    symlinkSync(real, link);
    const shell = (inherited: string | undefined): string =>
      execFileSync('/bin/sh', ['-c', 'exec printenv PWD'], { cwd: link, env: { PATH: '/usr/bin:/bin', ...(inherited === undefined ? {} : { PWD: inherited }) }, encoding: 'utf8' }).trim();
    for (const inherited of [undefined, '/', link, real, 'relative']) {
      expect(shellPwd(link, inherited), String(inherited)).toBe(shell(inherited));
    }
  });
});
