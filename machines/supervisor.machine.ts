// The root supervisor chart: spawns one app actor per config (id = systemId = app name) and owns the
// policies: restart policy, backoff, restart budget, rollback inside probation, dependency order,
// runtime reconfiguration, and the ordered shutdown.
import { assertEvent, enqueueActions, raise, setup } from 'xstate';
import { appMachine } from './app.machine.js';
import type { AppCommand } from './app.types.js';
import { backoffBaseMs, backoffDelayMs } from './backoff.js';
import { decide, type Decision, type UnhealthyReport } from './restartPolicy.js';
import {
  admitting, initialSupervisorContext, patchApp, planGates, planShutdown, startOrder, withoutApp,
} from './supervisor.context.js';
import type { SupervisorContext, SupervisorEvent, SupervisorInput } from './supervisor.types.js';

function decisionFor(context: SupervisorContext, event: SupervisorEvent): Decision | null {
  if (event.type !== 'APP.UNHEALTHY') return null;
  const app = context.apps[event.app];
  return app === undefined ? null : decide(app.spec.restart, event);
}

function unhealthy(event: SupervisorEvent): UnhealthyReport {
  assertEvent(event, 'APP.UNHEALTHY');
  return event;
}

function sameInput(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export const supervisorMachine = setup({
  types: {
    context: {} as SupervisorContext,
    events: {} as SupervisorEvent,
    input: {} as SupervisorInput,
  },
  actors: { app: appMachine },
  guards: {
    appIsActive: ({ context, event }) => 'app' in event && context.apps[event.app]?.phase === 'active',
    decidesRollback: ({ context, event }) => decisionFor(context, event)?.kind === 'rollback',
    decidesGiveUp: ({ context, event }) => decisionFor(context, event)?.kind === 'give-up',
    decidesKeepStopped: ({ context, event }) => decisionFor(context, event)?.kind === 'keep-stopped',
    // Jitter only shortens a delay, so a zero base is zero whatever is drawn.
    restartsWithoutWait: ({ context, event }) => {
      if (event.type !== 'APP.UNHEALTHY') return false;
      const backoff = context.apps[event.app]?.spec.restart.backoff;
      return backoff === undefined || backoffBaseMs(backoff, event.streak) === 0;
    },
    noAppsLeft: ({ context }) => Object.keys(context.apps).length === 0,
  },
  actions: {
    // Spawns every app in `admitting`, dependencies first; `syncGates` then starts or holds each one.
    admitPendingApps: enqueueActions(({ context, enqueue }) => {
      let apps = context.apps;
      for (const name of startOrder(apps)) {
        const app = apps[name];
        if (app?.phase !== 'admitting' || app.next === null) continue;
        enqueue.spawnChild('app', { id: name, systemId: name, input: app.next });
        apps = patchApp(apps, name, { phase: 'active', next: null, healthy: false, gate: 'waiting', waitingFor: [], error: null });
      }
      enqueue.assign({ apps });
    }),
    // Starts held apps whose dependencies are healthy; tells the others what they wait for.
    syncGates: enqueueActions(({ context, enqueue }) => {
      const plan = planGates(context.apps);
      enqueue.assign({ apps: plan.apps });
      for (const name of plan.start) enqueue.sendTo(name, { type: 'START' });
      for (const { name, missing } of plan.wait) enqueue.sendTo(name, { type: 'WAIT_FOR', apps: missing });
    }),
    markHealthy: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'APP.HEALTHY');
      enqueue.assign({ apps: patchApp(context.apps, event.app, { healthy: true }) });
    }),
    markNotHealthy: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, ['APP.UNHEALTHY', 'APP.DOWN']);
      enqueue.assign({ apps: patchApp(context.apps, event.app, { healthy: false }) });
    }),
    orderRollback: enqueueActions(({ context, event, enqueue }) => {
      const report = unhealthy(event);
      const decision = decisionFor(context, report);
      const reason = decision !== null && decision.kind !== 'restart' ? decision.reason : 'rollback';
      enqueue.sendTo(report.app, { type: 'SUPERVISOR.ROLLBACK', incident: report.incident, reason });
    }),
    orderGiveUp: enqueueActions(({ context, event, enqueue }) => {
      const report = unhealthy(event);
      const decision = decisionFor(context, report);
      const reason = decision !== null && decision.kind !== 'restart' ? decision.reason : 'given up';
      enqueue.sendTo(report.app, { type: 'SUPERVISOR.GIVE_UP', incident: report.incident, reason });
    }),
    orderKeepStopped: enqueueActions(({ context, event, enqueue }) => {
      const report = unhealthy(event);
      const decision = decisionFor(context, report);
      const reason = decision !== null && decision.kind !== 'restart' ? decision.reason : 'kept stopped';
      enqueue.sendTo(report.app, { type: 'SUPERVISOR.KEEP_STOPPED', incident: report.incident, reason });
    }),
    // The wait is the supervisor's own delayed event, so nothing is ever sent to a replaced child.
    scheduleRestart: raise(({ event }) => {
      const report = unhealthy(event);
      return { type: 'BACKOFF.ELAPSED' as const, app: report.app, incident: report.incident };
    }, { delay: 'restartBackoff' }),
    // Without a wait, no timer either: a timer of 0 ms still costs the restart a turn of the event loop.
    orderRestartNow: enqueueActions(({ event, enqueue }) => {
      const report = unhealthy(event);
      enqueue.sendTo(report.app, { type: 'SUPERVISOR.RESTART', incident: report.incident });
    }),
    orderRestart: enqueueActions(({ event, enqueue }) => {
      assertEvent(event, 'BACKOFF.ELAPSED');
      enqueue.sendTo(event.app, { type: 'SUPERVISOR.RESTART', incident: event.incident });
    }),
    forwardCommand: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'APP.COMMAND');
      // An operator's command takes the app out of the dependency hold; news from the fleet does not.
      if (event.command.type !== 'FLEET.HALT') {
        enqueue.assign({ apps: patchApp(context.apps, event.app, { gate: 'released', waitingFor: [] }) });
      }
      const command: AppCommand = event.command;
      enqueue.sendTo(event.app, command);
    }),
    upsertApp: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, ['APP.ADD', 'APP.CHANGE']);
      const { spec } = event;
      const app = context.apps[spec.name];
      if (app === undefined || app.phase === 'crashed') {
        enqueue.assign({ apps: { ...context.apps, [spec.name]: admitting(spec) } });
        return;
      }
      if (app.phase === 'active') {
        if (sameInput(app.spec, admitting(spec).spec)) return;
        enqueue.sendTo(spec.name, { type: 'SHUTDOWN' });
      }
      if (app.phase === 'admitting') {
        enqueue.assign({ apps: { ...context.apps, [spec.name]: admitting(spec) } });
        return;
      }
      enqueue.assign({ apps: patchApp(context.apps, spec.name, { phase: 'replacing', next: spec, healthy: false }) });
    }),
    removeApp: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'APP.REMOVE');
      const app = context.apps[event.app];
      if (app === undefined) return;
      if (app.phase === 'crashed' || app.phase === 'admitting') {
        enqueue.assign({ apps: withoutApp(context.apps, event.app) });
        return;
      }
      if (app.phase === 'active') enqueue.sendTo(event.app, { type: 'SHUTDOWN' });
      enqueue.assign({ apps: patchApp(context.apps, event.app, { phase: 'removing', next: null, healthy: false }) });
    }),
    // A child reached its final state: remove it (xstate keeps finished children until stopChild),
    // then spawn its replacement with the state it persisted, if it was being reconfigured.
    settleFinishedApp: enqueueActions(({ context, event, enqueue }) => {
      if (!('actorId' in event) || !('output' in event)) return;
      const name = event.actorId;
      enqueue.stopChild(name);
      const app = context.apps[name];
      if (app?.phase === 'replacing' && app.next !== null) {
        enqueue.assign({ apps: { ...context.apps, [name]: admitting({ ...app.next, restored: event.output }) } });
      } else {
        enqueue.assign({ apps: withoutApp(context.apps, name) });
      }
    }),
    settleCrashedApp: enqueueActions(({ context, event, enqueue }) => {
      if (!('actorId' in event) || !('error' in event)) return;
      enqueue.stopChild(event.actorId);
      const message = event.error instanceof Error ? event.error.message : String(event.error);
      enqueue.assign({
        apps: patchApp(context.apps, event.actorId, { phase: 'crashed', healthy: false, error: `app actor failed: ${message}` }),
      });
    }),
    forgetFinishedApp: enqueueActions(({ context, event, enqueue }) => {
      if (!('actorId' in event)) return;
      enqueue.stopChild(event.actorId);
      enqueue.assign({ apps: withoutApp(context.apps, event.actorId) });
    }),
    forgetCrashedApps: enqueueActions(({ context, enqueue }) => {
      const crashed = Object.keys(context.apps).filter((name) => context.apps[name]?.phase === 'crashed');
      let apps = context.apps;
      for (const name of crashed) apps = withoutApp(apps, name);
      enqueue.assign({ apps });
    }),
    shutDownUnneededApps: enqueueActions(({ context, enqueue }) => {
      let apps = context.apps;
      for (const name of planShutdown(apps)) {
        enqueue.sendTo(name, { type: 'SHUTDOWN' });
        apps = patchApp(apps, name, { phase: 'shutting-down' });
      }
      enqueue.assign({ apps });
    }),
  },
  delays: {
    // The only randomness of the chart (jitter): replace with provide({ delays }) in tests.
    restartBackoff: ({ context, event }) => {
      if (event.type !== 'APP.UNHEALTHY') return 0;
      const backoff = context.apps[event.app]?.spec.restart.backoff;
      return backoff === undefined ? 0 : backoffDelayMs(backoff, event.streak, Math.random());
    },
  },
}).createMachine({
  id: 'supervisor',
  context: ({ input }) => initialSupervisorContext(input),
  entry: ['admitPendingApps', 'syncGates'],
  initial: 'running',
  states: {
    running: {
      on: {
        'APP.HEALTHY': { actions: ['markHealthy', 'syncGates'] },
        'APP.UNHEALTHY': [
          { guard: 'decidesRollback', actions: ['markNotHealthy', 'syncGates', 'orderRollback'] },
          { guard: 'decidesGiveUp', actions: ['markNotHealthy', 'syncGates', 'orderGiveUp'] },
          { guard: 'decidesKeepStopped', actions: ['markNotHealthy', 'syncGates', 'orderKeepStopped'] },
          { guard: 'restartsWithoutWait', actions: ['markNotHealthy', 'syncGates', 'orderRestartNow'] },
          { actions: ['markNotHealthy', 'syncGates', 'scheduleRestart'] },
        ],
        'APP.DOWN': { actions: ['markNotHealthy', 'syncGates'] },
        'BACKOFF.ELAPSED': { guard: 'appIsActive', actions: 'orderRestart' },
        'APP.COMMAND': { guard: 'appIsActive', actions: 'forwardCommand' },
        'APP.ADD': { actions: ['upsertApp', 'admitPendingApps', 'syncGates'] },
        'APP.CHANGE': { actions: ['upsertApp', 'admitPendingApps', 'syncGates'] },
        'APP.REMOVE': { actions: ['removeApp', 'syncGates'] },
        'xstate.done.actor.*': { actions: ['settleFinishedApp', 'admitPendingApps', 'syncGates'] },
        'xstate.error.actor.*': { actions: 'settleCrashedApp' },
        SHUTDOWN: 'shuttingDown',
      },
    },
    // Dependents first: an app is told to stop once no remaining app depends on it.
    shuttingDown: {
      entry: ['forgetCrashedApps', 'shutDownUnneededApps'],
      always: { guard: 'noAppsLeft', target: 'off' },
      on: {
        'xstate.done.actor.*': { actions: ['forgetFinishedApp', 'shutDownUnneededApps'] },
        'xstate.error.actor.*': { actions: ['forgetFinishedApp', 'shutDownUnneededApps'] },
      },
    },
    off: { type: 'final' },
  },
});

export type SupervisorMachine = typeof supervisorMachine;
