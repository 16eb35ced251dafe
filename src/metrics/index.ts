// Prometheus metrics of the daemon: see HuddleMetrics.
import type { HuddleMetrics } from './huddleMetrics.js';

export { APP_STATES, HuddleMetrics, type HuddleMetricsOptions } from './huddleMetrics.js';
export { DEPLOY_RESULTS, type DeployResult } from './deployOutcomes.js';
export { metricsHandler } from './httpHandler.js';

/** What the effects need of the metrics: the two timing wrappers. */
export type EffectTimers = Pick<HuddleMetrics, 'timePoll' | 'timeHealthCheck'>;
