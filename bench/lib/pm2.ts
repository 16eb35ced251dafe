import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir, MARKER, MARKER_VAR, onCleanup } from './cleanup.js';
import { writeAppFiles } from './gitRepo.js';
import { PM2_CLI } from './paths.js';
import { freePort } from './ports.js';
import { pythonExecutable } from './python.js';
import { inCgroup, serviceCgroupProcs } from './serviceCgroup.js';

const exec = promisify(execFile);
let pm2Started = 0;

/** An app PM2 runs: the same Python file as huddle's apps, from a plain directory (PM2 does not deploy). */
export interface Pm2App {
  name: string;
  port: number;
  dir: string;
}

/**
 * PM2 with a private PM2_HOME in a temp dir, driven through its own CLI. Its version check
 * (an HTTPS request) is turned off and its first-run banner skipped, so it talks to nothing but
 * its apps. `pm2 kill` runs at cleanup whatever happened.
 */
export class Pm2 {
  readonly apps: Pm2App[] = [];
  readonly stop: () => Promise<void>;
  private readonly cgroupProcs = serviceCgroupProcs(`pm2-${++pm2Started}`);
  private constructor(readonly home: string) {
    // Only once a daemon has started: `pm2 kill` with none would start one first. A daemon still
    // starting has no pid file yet; the cleanup's sweep of marked processes ends it.
    this.stop = onCleanup(async () => {
      if (existsSync(join(home, 'pm2.pid'))) await this.run(['kill']);
    });
  }

  static async create(): Promise<Pm2> {
    const root = await makeTempDir('hbp-');
    const home = join(root, 'pm2');
    await mkdir(home);
    // Present on the first call: no banner and no version request to the internet.
    await writeFile(join(home, 'touch'), String(Date.now()));
    return new Pm2(home);
  }

  private env(): NodeJS.ProcessEnv {
    return { ...process.env, PM2_HOME: this.home, PM2_DISABLE_VERSION_CHECK: '1', [MARKER_VAR]: MARKER };
  }

  /** One `pm2 …` command; resolves with its stdout. */
  async run(args: string[], timeoutMs = 120_000): Promise<string> {
    // The first command starts PM2's daemon, born in the cgroup with what it starts.
    const [command, argv] = inCgroup(this.cgroupProcs, process.execPath, [PM2_CLI, ...args]);
    const { stdout } = await exec(command, argv, { env: this.env(), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  }

  /** Start `count` apps (`<prefix>0` …) in one `pm2 start` of an ecosystem file; PM2's defaults otherwise. */
  async startApps(prefix: string, count: number): Promise<Pm2App[]> {
    const started: Pm2App[] = [];
    for (let i = 0; i < count; i++) {
      const name = `${prefix}${i}`;
      const dir = join(this.home, '..', 'apps', name);
      await writeAppFiles(dir, '1');
      started.push({ name, port: await freePort(), dir });
    }
    const ecosystem = {
      apps: started.map((app) => ({
        name: app.name,
        script: join(app.dir, 'app.py'),
        interpreter: pythonExecutable(),
        cwd: app.dir,
        env: { PORT: String(app.port) },
      })),
    };
    const file = join(this.home, '..', `${prefix}ecosystem.json`);
    await writeFile(file, JSON.stringify(ecosystem, null, 2));
    await this.run(['start', file]);
    this.apps.push(...started);
    return started;
  }

  /** The PM2 daemon's ("God") pid. */
  daemonPid(): number {
    const pid = Number(readFileSync(join(this.home, 'pm2.pid'), 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no PM2 daemon pid in ${this.home}`);
    return pid;
  }

  /** App name → pid of its process now, from `pm2 jlist`. */
  async pids(): Promise<Map<string, number>> {
    const text = await this.run(['jlist']);
    const list = JSON.parse(text.slice(text.indexOf('['))) as { name: string; pid: number }[];
    return new Map(list.map((entry) => [entry.name, entry.pid]));
  }
}
