// Types of the supervisor chart: one app actor per config, spawned with id = systemId = app name.
import type { AppCommand, AppMachineInput, AppPersisted, AppReport, AppSpec } from './app.types.js';

export interface SupervisorInput {
  apps: AppMachineInput[];
}

/**
 * `admitting`: to be spawned (with `next` as input); `active`: running under the policies;
 * `replacing`/`removing`: told to shut down for a config change/removal; `shutting-down`: daemon
 * shutdown; `crashed`: the app actor itself failed (a bug), kept visible until reconfigured.
 */
export type SupervisedPhase = 'admitting' | 'active' | 'replacing' | 'removing' | 'shutting-down' | 'crashed';

export interface SupervisedApp {
  spec: AppSpec;
  phase: SupervisedPhase;
  healthy: boolean;
  /** `waiting`: held until its dependencies are healthy; `released`: started (or an operator took over). */
  gate: 'waiting' | 'released';
  waitingFor: string[];
  /** Input of the actor to spawn next (admission or replacement). */
  next: AppMachineInput | null;
  error: string | null;
}

export interface SupervisorContext {
  apps: Record<string, SupervisedApp>;
}

export type AppDoneEvent = { type: `xstate.done.actor.${string}`; actorId: string; output: AppPersisted };
export type AppErrorEvent = { type: `xstate.error.actor.${string}`; actorId: string; error: unknown };

export type SupervisorEvent =
  /** Add an app, or replace it if the name exists (restarted with the new config, state kept). */
  | { type: 'APP.ADD'; spec: AppMachineInput }
  | { type: 'APP.CHANGE'; spec: AppMachineInput }
  | { type: 'APP.REMOVE'; app: string }
  /** An operator command for one app (ignored for an unknown app: check `context.apps` first). */
  | { type: 'APP.COMMAND'; app: string; command: AppCommand }
  /** Stop every app in reverse dependency order, then reach the final state. */
  | { type: 'SHUTDOWN' }
  | { type: 'BACKOFF.ELAPSED'; app: string; incident: number }
  | AppReport
  | AppDoneEvent
  | AppErrorEvent;
