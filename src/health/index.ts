export type { HealthResult } from './healthResult.js';
export type { HttpCheckSpec } from './httpCheck.js';
export { httpCheck } from './httpCheck.js';
export type { TcpCheckSpec } from './tcpCheck.js';
export { tcpCheck } from './tcpCheck.js';
