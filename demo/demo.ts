// `npm start`: the real daemon on a bundled demo, offline, without root. Makes a local bare
// repository from demo/sample-app, a work clone to push from, one app config, and runs huddle on
// them in the foreground.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDaemon } from '../src/cli/commands/run.js';

const root = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const demo = path.join(root, '.demo');
const remote = path.join(demo, 'remote.git');
const work = path.join(demo, 'work');
const configDir = path.join(demo, 'configs');
const stateDir = path.join(demo, 'state');

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'huddle demo',
      GIT_AUTHOR_EMAIL: 'demo@huddle.invalid',
      GIT_COMMITTER_NAME: 'huddle demo',
      GIT_COMMITTER_EMAIL: 'demo@huddle.invalid',
    },
  });

function freePort(preferred: number): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => {
      const any = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = any.address() as net.AddressInfo;
        any.close(() => resolve(port));
      });
    });
    server.listen(preferred, '127.0.0.1', () => server.close(() => resolve(preferred)));
  });
}

function makeRepositories(): void {
  if (existsSync(remote)) return;
  mkdirSync(demo, { recursive: true });
  git(demo, 'init', '--quiet', '--bare', '--initial-branch=main', remote);
  cpSync(path.join(root, 'demo', 'sample-app'), work, { recursive: true });
  git(work, 'init', '--quiet', '--initial-branch=main');
  git(work, 'add', '.');
  git(work, 'commit', '--quiet', '-m', 'demo app, version 1');
  git(work, 'remote', 'add', 'origin', remote);
  git(work, 'push', '--quiet', 'origin', 'main');
}

const port = await freePort(8765);
const dashboard = await freePort(8766);
makeRepositories();
mkdirSync(configDir, { recursive: true });
writeFileSync(
  path.join(configDir, 'demo.json'),
  `${JSON.stringify(
    {
      repository: { 'remote path': remote, 'local path': path.join(demo, 'checkout'), branch: 'main' },
      timing: { minimum: 2, maximum: 4 },
      application: { start: 'node server.js', env: { PORT: String(port) } },
      health: { http: { url: `http://127.0.0.1:${port}/health` }, interval: 2 },
    },
    null,
    2,
  )}\n`,
);

const cli = `node ${path.relative(process.cwd(), path.join(root, 'dist', 'src', 'cli', 'main.js')) || '.'}`;
process.stdout.write(`
huddle demo: the daemon runs below (Ctrl-C stops it and the app).
  app:       http://127.0.0.1:${port}/
  dashboard: http://127.0.0.1:${dashboard}/ (live state charts; /metrics for Prometheus)
  repo:      ${remote} (push from ${work})
In another terminal:
  curl http://127.0.0.1:${port}/
  cd ${path.relative(process.cwd(), work)} && echo 2 > VERSION && git commit -qam "version 2" && git push -q origin main
  ${cli} status --state-dir ${path.relative(process.cwd(), stateDir)}
  ${cli} logs demo --state-dir ${path.relative(process.cwd(), stateDir)}
The push is deployed within the poll interval (2-4 s); \`${cli} poll demo --state-dir …\` checks at once.

`);
process.exitCode = await runDaemon({
  configDir,
  stateDir,
  logLevel: 'info',
  logFormat: 'pretty',
  http: `127.0.0.1:${dashboard}`,
});
