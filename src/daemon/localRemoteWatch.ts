import type { LoadedApp } from '../config/index.js';
import { watchLocalBranch } from '../git/localBranchWatch.js';
import { localGitDir } from '../git/localRefs.js';

/**
 * For apps whose repository is on this machine (`timing.watch`, on by default): a move of the
 * branch asks for a poll at once. One watch per app, replaced when its config changes.
 */
export class LocalRemoteWatch {
  private readonly watches = new Map<string, { close(): void }>();

  constructor(private readonly poll: (app: string) => void) {}

  track(app: LoadedApp): void {
    const name = app.config.name;
    this.forget(name);
    const { repository, timing } = app.config;
    if (!timing.watch) return;
    const gitDir = localGitDir(repository['remote path']);
    if (!gitDir) return;
    this.watches.set(name, watchLocalBranch(gitDir, repository.branch, () => this.poll(name)));
  }

  forget(app: string): void {
    this.watches.get(app)?.close();
    this.watches.delete(app);
  }

  close(): void {
    for (const app of [...this.watches.keys()]) this.forget(app);
  }
}
