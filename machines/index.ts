// The charts and their contracts: what src/ imports.
export { appMachine, type AppMachine } from './app.machine.js';
export { supervisorMachine, type SupervisorMachine } from './supervisor.machine.js';
export type * from './app.types.js';
export type * from './supervisor.types.js';
export { appStatus, topLevelState, type AppStatusView } from './appStatus.js';
export { chooseDeployTarget, emptyPersisted, initialAppContext, MAX_BAD_COMMITS } from './app.context.js';
export { backoffBaseMs, backoffDelayMs, jitteredMs, pollDelayMs, STOP_SAFETY_MARGIN_MS } from './backoff.js';
export { decide, type Decision, type UnhealthyReport } from './restartPolicy.js';
export { dependencyOrder, findDependencyCycle, type DependencyNode } from './dependencies.js';
