import { CONTROL_ACTIONS, type ControlAction } from '../control/types.js';
import { defaultStateDir } from '../daemon/paths.js';
import { fail } from './fail.js';

// `huddle poll <app>` (and restart, stop, start, deploy) is what git hooks and CI jobs run on a
// deploy's critical path. In its plain forms it is answered without loading commander and every
// command's module, a fifth of the command's time. Anything else (a help flag, another option, a
// missing argument, a typo) goes to the full program, so what it accepts and prints stays the same.

export interface QuickAppCommand {
  action: ControlAction;
  app: string;
  commit?: string;
  stateDir: string;
}

/** The command when `argv` (without node and the script) is a plain app command, else undefined. */
export function quickAppCommand(argv: readonly string[], defaultDir: () => string = defaultStateDir): QuickAppCommand | undefined {
  const [action, ...rest] = argv;
  if (!CONTROL_ACTIONS.includes(action as ControlAction)) return undefined;
  const positional: string[] = [];
  let stateDir: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    if (arg.startsWith('--state-dir=') && stateDir === undefined) stateDir = arg.slice('--state-dir='.length);
    else if (arg === '--state-dir' && stateDir === undefined && i + 1 < rest.length) stateDir = rest[++i];
    else if (arg.startsWith('-')) return undefined;
    else positional.push(arg);
  }
  const wanted = action === 'deploy' ? 2 : 1;
  if (positional.length !== wanted || stateDir === '') return undefined;
  const [app = '', commit] = positional;
  return { action: action as ControlAction, app, ...(commit === undefined ? {} : { commit }), stateDir: stateDir ?? defaultDir() };
}

/** Send it to the daemon and print the answer (or fail): the one path of every app command, plain or parsed by the full program. */
export async function runQuickAppCommand(command: QuickAppCommand): Promise<void> {
  const { sendAppCommand } = await import('./commands/sendAppCommand.js');
  await sendAppCommand(command.app, command.action, command.stateDir, command.commit).catch(fail);
}
