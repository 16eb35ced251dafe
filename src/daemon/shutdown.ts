import type { Actor } from 'xstate';
import type { supervisorMachine } from '../../machines/index.js';
import type { LoadedApp } from '../config/index.js';
import type { Logger } from '../log.js';

// Beyond every app's own stop timeout: the margin for git, hooks and the charts to settle.
const SHUTDOWN_MARGIN_MS = 10_000;

/**
 * SHUTDOWN to the supervisor (apps stop in reverse dependency order), then stop the actor system,
 * which kills whatever outlived the budget (the process actors' cleanup).
 */
export async function stopAllApps(supervisor: Actor<typeof supervisorMachine>, apps: LoadedApp[], logger: Logger): Promise<void> {
  const budget = apps.reduce((sum, app) => sum + (app.config.application?.['stop timeout'] ?? 0) * 1000, 0) + SHUTDOWN_MARGIN_MS;
  const done = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), budget);
    supervisor.subscribe({
      complete: () => {
        clearTimeout(timer);
        resolve(true);
      },
    });
    if (supervisor.getSnapshot().status !== 'active') {
      clearTimeout(timer);
      resolve(true);
    }
  });
  supervisor.send({ type: 'SHUTDOWN' });
  if (!(await done)) logger.error(`apps did not stop within ${budget} ms: killing them`, { event: 'daemon' });
  supervisor.stop();
}
