import { IdResolver } from '../files/index.js';

/** Mode and group of the control socket: owner only, unless a group of operators is named. */
export async function socketAccess(group: string | undefined): Promise<{ mode: number; group?: number }> {
  if (group === undefined) return { mode: 0o600 };
  const lookup = await new IdResolver().group(group);
  if (!lookup.ok) throw new Error(`--socket-group: ${lookup.message}`);
  return { mode: 0o660, group: lookup.id };
}
