// Least privilege and secrets: credentials in remote URLs and secret env values never appear in
// the daemon's log, in `huddle status`, or in errors; the control socket is 0600, or 0660 with a
// named operators' group.
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../fixtures/daemon/cli.js';
import { cleanUpAfterEach } from '../../fixtures/daemon/cleanup.js';
import { startDaemon } from '../../fixtures/daemon/daemonProcess.js';
import { addApp, makeWorkspace, writeAppConfig } from '../../fixtures/daemon/workspace.js';
import { pushCommit } from '../../fixtures/git/testRepo.js';

cleanUpAfterEach();

const TOKEN = 'tok-3f9a61c2-secret';
const PASSWORD = 'pw-77d1e0-secret';

describe('secrets stay out of logs, status and errors', () => {
  it('a remote URL with user:password@ and a failing install that prints a token', async () => {
    const ws = await makeWorkspace();
    // Nothing listens on port 9: the clone fails at once, and its error names the URL.
    await addApp(ws, 'remote', {
      config: { repository: { 'remote path': `http://deploy:${PASSWORD}@127.0.0.1:9/app.git` } },
    });
    await addApp(ws, 'install', {
      env: { API_TOKEN: TOKEN },
      config: { application: { install: 'echo "using $API_TOKEN"; exit 1' } },
    });
    const daemon = await startDaemon(ws);
    await daemon.waitForApp('remote', (a) => a.error !== null, 'the clone error in status');
    await daemon.waitForApp('install', (a) => a.error !== null, 'the install error in status');

    const status = await runCli(ws, ['status', '--json', '--state-dir', ws.stateDir]);
    const everything = [status.stdout, status.stderr, daemon.lines.map((l) => JSON.stringify(l)).join('\n'), daemon.stderr.join("\n")].join('\n');
    expect(everything).toContain('127.0.0.1:9');
    expect(everything).toContain('using ***');
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain(TOKEN);
  });

  it('the control socket is 0600 by default and 0660 for --socket-group', async () => {
    const ws = await makeWorkspace();
    await addApp(ws, 'web');
    let daemon = await startDaemon(ws);
    await daemon.waitHealthy('web');
    const socket = join(ws.stateDir, 'huddle.sock');
    expect((await stat(socket)).mode & 0o777).toBe(0o600);
    await daemon.stop();

    if (process.getuid?.() !== 0) return; // chgrp to a group one is not in needs root
    daemon = await startDaemon(ws, { args: ['--socket-group', '65534'] });
    await daemon.waitHealthy('web');
    const info = await stat(socket);
    expect(info.mode & 0o777).toBe(0o660);
    expect(info.gid).toBe(65534);
  });

  it('application.user: git, install and the app run as that user; without root it is a clear config error', async () => {
    const ws = await makeWorkspace();
    await addApp(ws, 'web');
    const nobody = await addApp(ws, 'nobody', {
      config: { application: { user: 'nobody', install: 'id -u > installed-by' } },
      write: false,
    });
    const root = process.getuid?.() === 0;
    const env: Record<string, string> = {};
    if (root) {
      // The app's user must be able to read the remote and reach its checkout's parent.
      for (const dir of [ws.root, ws.checkouts, nobody.remote.root]) await chmod(dir, 0o755);
      // This remote is a local repository owned by root, which git run as nobody refuses
      // ("dubious ownership") unless trusted; a real remote is a URL and needs none of this.
      env.GIT_CONFIG_GLOBAL = join(ws.root, 'gitconfig');
      await writeFile(env.GIT_CONFIG_GLOBAL, `[safe]\n\tdirectory = ${nobody.remote.bare}\n`, { mode: 0o644 });
    }
    await writeAppConfig(nobody);
    const daemon = await startDaemon(ws, { env });
    await daemon.waitHealthy('web');
    if (!root) {
      const refused = await daemon.waitForLog(
        (l) => l.level === 'error' && String(l.message).includes('[application] user'),
        'the refusal in the log',
      );
      expect(String(refused.message)).toMatch(/nobody\.json.*needs huddle to run as root/);
      expect((await daemon.status()).apps.map((a) => a.name)).toEqual(['web']);
      return;
    }
    const app = await daemon.waitHealthy('nobody', nobody.remote.head);
    const uidOf = async (pid: number) => /^Uid:\s+(\d+)/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1];
    expect(await uidOf(app.pid!)).toBe('65534');
    expect((await readFile(join(nobody.checkout, 'installed-by'), 'utf8')).trim()).toBe('65534');
    expect((await stat(join(nobody.checkout, 'VERSION'))).uid).toBe(65534);
    expect((await stat(join(nobody.checkout, '.git'))).uid).toBe(65534);
    // A push is deployed by git running as the same user.
    const next = await pushCommit(nobody.remote, { VERSION: '2\n' });
    await daemon.waitHealthy('nobody', next);
  });

  it('an unknown application.user is a config error naming the file and key', async () => {
    const ws = await makeWorkspace();
    await addApp(ws, 'web');
    await addApp(ws, 'ghost', { config: { application: { user: 'no-such-user-huddle' } } });
    const daemon = await startDaemon(ws);
    await daemon.waitHealthy('web');
    const refused = await daemon.waitForLog(
      (l) => l.level === 'error' && String(l.message).includes('[application] user'),
      'the refusal in the log',
    );
    expect(String(refused.message)).toContain('ghost.json');
    expect((await daemon.status()).apps.map((a) => a.name)).toEqual(['web']);
  });
});
