import type { AppConfig } from '../config/index.js';
import { stopRecordedProcess } from '../process/index.js';
import type { Logger } from '../log.js';
import type { StateStore } from './stateStore.js';

const DEFAULT_STOP_TIMEOUT_MS = 10_000;

/**
 * After the daemon was killed (SIGKILL, power loss) its apps may still run. Stop every process the
 * last run recorded (each app's own, and each hook it was running, every one in a record of its
 * own), before anything starts, so an app never runs twice. A recorded PID is
 * signalled only if it still has the recorded start time: a reused PID belongs to someone else.
 */
export async function stopLeftoverProcesses(
  store: StateStore,
  configOf: (app: string) => AppConfig | undefined,
  logger: Logger,
): Promise<void> {
  const listing = await store.listProcesses();
  for (const error of listing.errors) {
    logger.warn(`unreadable process record ${error.file}: ${error.error}`, { event: 'recovery' });
  }
  await Promise.all(
    listing.records.map(async ({ app, role, record }) => {
      const application = configOf(app)?.application;
      const signal = (application?.['stop signal'] ?? 'SIGTERM') as NodeJS.Signals;
      const timeoutMs = application ? application['stop timeout'] * 1000 : DEFAULT_STOP_TIMEOUT_MS;
      try {
        const stopped = await stopRecordedProcess(record.pid, record.startTime, signal, timeoutMs, record.tag);
        if (stopped) {
          logger.warn(`stopped pid ${record.pid} left running by the previous daemon`, {
            event: 'recovery',
            app,
            commit: record.commit?.slice(0, 7),
          });
        }
      } catch (error) {
        logger.error(`could not stop pid ${record.pid} left by the previous daemon: ${(error as Error).message}`, {
          event: 'recovery',
          app,
        });
      }
      if (role === 'hook' && record.tag !== undefined) await store.clearHook(app, record.tag);
      else await store.clearProcess(app);
    }),
  );
}
