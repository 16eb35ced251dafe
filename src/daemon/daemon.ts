import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createActor, type Actor } from 'xstate';
import { appMachine, supervisorMachine } from '../../machines/index.js';
import type { AppMachineInput, AppPersisted } from '../../machines/index.js';
import { formatConfigError, isConfigFileName, loadConfigDir, type ConfigError, type LoadedApp } from '../config/index.js';
import { preloadGeneratedValidator } from '../config/validator.js';
import { startControlServer, type ControlServer } from '../control/server.js';
import { socketAccess } from '../control/socketAccess.js';
import { addLogSecrets, createLogger, type LogFormat, type Logger } from '../log.js';
import { secretValues } from '../util/redact.js';
import { appEffects } from './effects/index.js';
import { AppObserver } from './appObserver.js';
import { appInputOf } from './appSpec.js';
import { distrustInterruptedCheckouts } from './interruptedSiblings.js';
import { refuseUnrunnableAccounts } from './accountCheck.js';
import { diffConfigs, whyKept } from './configDiff.js';
import { startConfigWatcher, type ConfigWatcher } from './configWatcher.js';
import { controlHandler, daemonStatus } from './controlHandler.js';
import { Observability, type ObservabilityOptions } from './observability.js';
import type { FleetLink, FleetOptions } from './fleetLink.js';
import { LastValidConfigs } from './lastValidConfigs.js';
import { LocalRemoteWatch } from './localRemoteWatch.js';
import { stopAllApps } from './shutdown.js';
import { combineInspectors } from '../inspect/combineInspectors.js';
import { deferInspection } from '../inspect/deferInspection.js';
import { learnProcesses } from '../process/index.js';
import { acquireDaemonLock, type DaemonLock } from './lock.js';
import { appLogFile, socketPath } from './paths.js';
import { parsePersisted } from './persistedState.js';
import { stopLeftoverProcesses } from './recovery.js';
import { openStateStore, type StateStore } from './stateStore.js';
import { stateEffects } from './stateEffects.js';

export interface DaemonOptions extends ObservabilityOptions, FleetOptions {
  configDir: string;
  stateDir: string;
  logLevel?: string;
  logFormat?: LogFormat;
  logStream?: NodeJS.WritableStream;
  /** Safety-net rescan of the config dir (fs.watch misses events on some filesystems). */
  rescanIntervalMs?: number;
  /** Let this group of operators use the control socket (mode 0660 instead of 0600). */
  socketGroup?: string;
}

type SupervisorActor = Actor<typeof supervisorMachine>;


/** A running daemon: the supervisor chart with real effects, the control socket and the config watcher. */
export class Daemon {
  /** The last valid config of every app the supervisor runs (or is stopping). */
  private readonly apps = new Map<string, LoadedApp>();
  private readonly configErrors = new Map<string, string[]>();
  private supervisor?: SupervisorActor;
  private control?: ControlServer;
  private watcher?: ConfigWatcher;
  private stopping?: Promise<void>;
  private readonly lastValid: LastValidConfigs;
  private remoteWatch?: LocalRemoteWatch;
  private resolveStopped!: () => void;
  /** Resolves once the daemon has stopped every app and released the state dir. */
  readonly stopped = new Promise<void>((resolve) => (this.resolveStopped = resolve));

  private constructor(
    readonly options: DaemonOptions,
    readonly logger: Logger,
    private readonly lock: DaemonLock,
    private readonly store: StateStore,
    private readonly observer: AppObserver,
    readonly observability: Observability,
    private readonly fleet: FleetLink | undefined,
  ) {
    this.lastValid = new LastValidConfigs(options.stateDir);
  }

  /** Env values of the apps that look like secrets: never shown by the inspector. */
  private envSecrets(): string[] {
    return [...this.apps.values()].flatMap((app) => secretValues(app.config.application?.env));
  }

  static async start(options: DaemonOptions): Promise<Daemon> {
    const logger = createLogger({ level: options.logLevel, format: options.logFormat, stream: options.logStream });
    mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
    const lock = await acquireDaemonLock(options.stateDir);
    let daemonBeingBuilt: Daemon | undefined;
    try {
      const store = await openStateStore(options.stateDir, {
        onError: (app, error) => logger.error(`cannot save state: ${error.message}`, { app, event: 'state' }),
      });
      const observer = new AppObserver(logger, (app, persisted) => store.save(app, persisted));
      const observability = await Observability.create(options, logger, observer.inspect, () => daemonBeingBuilt?.envSecrets() ?? []);
      // etcd's client (grpc) is loaded only for a daemon in a fleet.
      const fleet = options.etcd?.length
        ? await import('./fleetLink.js').then(({ FleetLink }) => FleetLink.start(options, logger)).catch(async (error: unknown) => {
          await observability.stop();
          throw error;
        })
        : undefined;
      const daemon = new Daemon(options, logger, lock, store, observer, observability, fleet);
      daemonBeingBuilt = daemon;
      await daemon.boot();
      return daemon;
    } catch (error) {
      // Whatever boot had started (apps included) is stopped again, and the lock released.
      if (daemonBeingBuilt) await daemonBeingBuilt.stop(`start failed: ${(error as Error).message}`);
      else await lock.release();
      throw error;
    }
  }

  private async boot(): Promise<void> {
    const { configDir, stateDir } = this.options;
    this.logger.info(`huddle starting (config ${configDir}, state ${stateDir})`, { event: 'daemon', pid: process.pid });
    await preloadGeneratedValidator();
    const loaded = this.loadConfigs();
    const apps = await this.lastValid.appsAtBoot(loaded, configDir, this.logger);
    const byName = new Map(apps.map((app) => [app.config.name, app]));
    await stopLeftoverProcesses(this.store, (app) => byName.get(app)?.config, this.logger);
    // The host's processes as they are before any app starts: the look for an app's strays after
    // its exit then reads only what started since, the first time too (src/process/birthRegister.ts).
    learnProcesses();

    const recorded: AppMachineInput[] = [];
    for (const app of apps) {
      this.apps.set(app.config.name, app);
      await this.lastValid.save(app);
      recorded.push(await this.inputOf(app));
    }
    const inputs = distrustInterruptedCheckouts(recorded, byName, this.logger);
    const fleet = this.fleet;
    const effects = appEffects(this.effectsHost());
    const machine = supervisorMachine.provide({
      actors: {
        app: appMachine.provide({ actors: fleet ? { ...effects, rolloutSlot: fleet.rolloutSlotActor() } : effects }),
      },
    });
    const supervisor = createActor(machine, {
      input: { apps: inputs },
      inspect: deferInspection(combineInspectors(this.observability.inspect, this.fleet?.inspect), (error) =>
        this.logger.error(`inspection failed: ${(error as Error).message}`, { event: 'daemon' })),
    });
    supervisor.subscribe({
      error: (error) => this.logger.error(`supervisor failed: ${(error as Error).message}`, { event: 'daemon' }),
    });
    this.supervisor = supervisor;
    supervisor.start();
    // Not an operator's command: sent to the app itself, so an app waiting for its dependencies stays put.
    this.remoteWatch = new LocalRemoteWatch((app) => supervisor.system.get(app)?.send({ type: 'POLL' }));
    for (const app of this.apps.values()) this.remoteWatch.track(app);
    fleet?.attach(
      {
        send: (app, command) => supervisor.send({ type: 'APP.COMMAND', app, command }),
        policyOf: (app) => this.apps.get(app)?.config.rollout,
      },
      this.apps.keys(),
    );

    this.control = await startControlServer({
      socketPath: socketPath(stateDir),
      handler: controlHandler(this),
      logger: this.logger,
      ...(await socketAccess(this.options.socketGroup)),
    });
    await this.observability.serve(() => daemonStatus(this));
    this.watcher = await startConfigWatcher({
      dir: configDir,
      isConfigFile: isConfigFileName,
      emitInitial: false,
      rescanIntervalMs: this.options.rescanIntervalMs,
      onChanges: () => this.reload(),
      onError: (error) => this.logger.warn(`config dir: ${error.message}`, { event: 'config' }),
    });
    this.logger.info(`huddle running ${inputs.length} app(s)`, { event: 'daemon', apps: inputs.map((i) => i.name) });
  }

  /** Reads the whole config dir; reports every bad file; returns the valid apps. */
  private loadConfigs(): { apps: LoadedApp[]; errors: ConfigError[] } {
    const loaded = loadConfigDir(this.options.configDir);
    const { apps, errors } = refuseUnrunnableAccounts(loaded.apps, loaded.errors);
    this.configErrors.clear();
    for (const error of errors) {
      const line = formatConfigError(error);
      this.configErrors.set(error.file, [...(this.configErrors.get(error.file) ?? []), line]);
      this.logger.error(line, { event: 'config', file: error.file });
    }
    // Env values that look like secrets (TOKEN, PASSWORD …) never reach a log line.
    for (const app of apps) addLogSecrets(this.logger, secretValues(app.config.application?.env));
    return { apps, errors };
  }

  private async inputOf(app: LoadedApp): Promise<AppMachineInput> {
    const restored = await this.store.load<AppPersisted>(app.config.name, parsePersisted);
    if (restored.status === 'corrupt') {
      this.logger.error(`state file ignored: ${restored.error}`, {
        event: 'state',
        app: app.config.name,
        movedTo: restored.movedTo,
      });
    }
    return appInputOf(app.config, restored.status === 'ok' ? restored.value : null, { fleet: this.fleet !== undefined });
  }

  /** The config dir changed (or SIGHUP): start, reconfigure or stop the apps concerned, only those. */
  async reload(): Promise<void> {
    if (this.stopping) return;
    const diff = diffConfigs(this.apps, this.loadConfigs(), this.options.configDir);
    for (const kept of diff.kept) {
      this.logger.warn(`${whyKept(kept, this.apps.get(kept.app)?.file)}: keeping the running app on its last valid config`, { event: 'config', app: kept.app });
    }
    for (const app of diff.moved) {
      this.logger.info(`config moved to ${path.basename(app.file)}, unchanged: the app runs on`, { event: 'config', app: app.config.name });
      this.apps.set(app.config.name, app);
      await this.lastValid.save(app);
    }
    for (const name of diff.removed) {
      this.logger.info('config removed: stopping the app', { event: 'config', app: name });
      this.supervisorActor.send({ type: 'APP.REMOVE', app: name });
      this.fleet?.forget(name);
      this.remoteWatch?.forget(name);
      this.apps.delete(name);
      await this.lastValid.forget(name);
    }
    for (const app of diff.changed) {
      this.logger.info('config changed: restarting the app with it', { event: 'config', app: app.config.name });
      this.apps.set(app.config.name, app);
      await this.lastValid.save(app);
      this.remoteWatch?.track(app);
      this.supervisorActor.send({ type: 'APP.CHANGE', spec: await this.inputOf(app) });
    }
    for (const app of diff.added) {
      this.logger.info('config added: starting the app', { event: 'config', app: app.config.name });
      this.apps.set(app.config.name, app);
      await this.lastValid.save(app);
      this.remoteWatch?.track(app);
      this.supervisorActor.send({ type: 'APP.ADD', spec: await this.inputOf(app) });
      this.fleet?.track(app.config.name);
    }
  }

  /** Re-read the config dir now (SIGHUP). */
  rescan(): void {
    void this.watcher?.rescan().catch((error: Error) => this.logger.warn(`rescan failed: ${error.message}`));
  }

  private effectsHost() {
    // Apps being removed still finish their stop with the config they had.
    const lastSeen = new Map<string, LoadedApp>();
    return {
      logger: this.logger,
      metrics: this.observability.metrics,
      app: (name: string): LoadedApp => {
        const app = this.apps.get(name) ?? lastSeen.get(name);
        if (!app) throw new Error(`no config for app ${name}`);
        lastSeen.set(name, app);
        return app;
      },
      logFile: (name: string) => appLogFile(this.options.stateDir, name),
      ...stateEffects(this.store, this.logger),
      pinnedRef: (name: string) => this.fleet?.pinnedRef(name),
    };
  }

  get supervisorActor(): SupervisorActor {
    if (!this.supervisor) throw new Error('the daemon has not started its apps yet');
    return this.supervisor;
  }

  appConfig(name: string): LoadedApp | undefined {
    return this.apps.get(name);
  }

  get invalidConfigs(): ReadonlyMap<string, string[]> {
    return this.configErrors;
  }

  sinceOf(app: string): Date | undefined {
    return this.observer.since(app);
  }

  /** Stop every app (reverse dependency order, each within its stop timeout), then release everything. */
  stop(reason = 'stop requested'): Promise<void> {
    this.stopping ??= this.shutdown(reason).finally(() => this.resolveStopped());
    return this.stopping;
  }

  private async shutdown(reason: string): Promise<void> {
    this.logger.info(`huddle stopping: ${reason}`, { event: 'daemon' });
    await this.watcher?.close();
    this.remoteWatch?.close();
    const supervisor = this.supervisor;
    if (supervisor) await stopAllApps(supervisor, [...this.apps.values()], this.logger);
    await this.observability.stop();
    await this.fleet?.stop();
    await this.control?.close();
    await this.store.close();
    await this.lock.release();
    this.logger.info('huddle stopped', { event: 'daemon' });
  }
}
