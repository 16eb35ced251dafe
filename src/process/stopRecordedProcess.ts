import { isSameProcess } from './procInfo.js';
import { collectTree } from './processTree.js';
import type { TreeTarget } from './processTree.js';
import { terminateTree } from './terminateTree.js';

/**
 * Stop an app process recorded by an earlier run of the daemon (which was killed before it
 * could stop its apps), with its group and tree: `signal`, wait `timeoutMs`, then SIGKILL.
 *
 * Only when `pid` is still the process that started at `startTime`: a PID reused by someone
 * else is never signalled. With the recorded `tag` (AppProcess.tag), processes that carry it are
 * stopped even when the recorded process itself is gone (an app whose shell died, leaving its
 * server orphaned). Resolves true when something was stopped.
 */
export async function stopRecordedProcess(
  pid: number,
  startTime: number,
  signal: NodeJS.Signals,
  timeoutMs: number,
  tag?: string,
): Promise<boolean> {
  const same = isSameProcess(pid, startTime);
  if (!same && tag === undefined) return false;
  // Not our child: its group is ours only while it lives (checked again on every signal);
  // afterwards only the tag proves a process was started by us.
  const target: TreeTarget = { pid, startTime, trustGroup: false, ...(tag === undefined ? {} : { tag }) };
  if (!same && collectTree(target).size === 0) return false;
  const result = await terminateTree(target, { signal, graceMs: timeoutMs });
  return result.signalled;
}
