// The supervisor's answer to an unhealthy app, as a pure function of its restart spec and the report.
import type { AppReport, RestartSpec } from './app.types.js';

export type UnhealthyReport = Extract<AppReport, { type: 'APP.UNHEALTHY' }>;

export type Decision =
  | { kind: 'restart' }
  | { kind: 'rollback'; reason: string }
  | { kind: 'give-up'; reason: string }
  | { kind: 'keep-stopped'; reason: string };

export function decide(restart: RestartSpec, report: UnhealthyReport): Decision {
  const { failure, probation } = report;
  const exited = failure.cause === 'exited';
  // Inside probation a new commit that is unhealthy (not merely crashing once) goes back at once.
  if (probation && !exited) return { kind: 'rollback', reason: `unhealthy during probation: ${failure.detail}` };
  if (exited && failure.code === 0 && restart.policy !== 'always') {
    return { kind: 'keep-stopped', reason: `exited cleanly; restart policy is ${restart.policy}` };
  }
  if (restart.policy === 'never') {
    return probation
      ? { kind: 'rollback', reason: `failed during probation: ${failure.detail}` }
      : { kind: 'give-up', reason: `${failure.detail}; restart policy is never` };
  }
  if (report.recentRestarts >= restart.limit.restarts) {
    const budget = `more than ${restart.limit.restarts} restarts within ${Math.round(restart.limit.windowMs / 1000)} s`;
    return probation
      ? { kind: 'rollback', reason: `crash loop during probation (${budget}): ${failure.detail}` }
      : { kind: 'give-up', reason: `${budget}: ${failure.detail}` };
  }
  return { kind: 'restart' };
}
