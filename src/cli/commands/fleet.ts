import type { Command } from 'commander';
import { addEtcdOptions, type EtcdFlags } from '../etcdFlags.js';

function fleetCommand(fleet: Command, name: string, description: string): Command {
  return addEtcdOptions(fleet.command(name).description(description));
}

// etcd's client (grpc, protobufjs) is loaded only when a fleet command runs, never by the daemon
// that runs alone.
const actions = () => import('./fleetActions.js');

export function registerFleet(program: Command): void {
  const fleet = program
    .command('fleet')
    .description('see and steer the nodes sharing an etcd cluster (needs --etcd or HUDDLE_ETCD)');

  fleetCommand(fleet, 'status', 'per app, each commit with its node count by state, pins and halts')
    .option('--json', 'print {"nodes":[{"node","app","state","commit","since"}]}')
    .action((opts: EtcdFlags & { json?: boolean }) => actions().then((m) => m.fleetStatus(opts)));

  fleetCommand(fleet, 'deploy', 'every node deploys <ref> (a commit, tag or branch) now, without waiting for a poll')
    .argument('<app>')
    .argument('<ref>')
    .action((app: string, ref: string, opts: EtcdFlags) => actions().then((m) => m.fleetDeploy(app, ref, opts)));

  fleetCommand(fleet, 'pin', 'hold every node on <ref> even when the branch moves (default: the commit most nodes run healthy)')
    .argument('<app>')
    .argument('[ref]')
    .action((app: string, ref: string | undefined, opts: EtcdFlags) => actions().then((m) => m.fleetPin(app, ref, opts)));

  fleetCommand(fleet, 'unpin', 'let every node follow the branch again')
    .argument('<app>')
    .action((app: string, opts: EtcdFlags) => actions().then((m) => m.fleetUnpin(app, opts)));

  fleetCommand(fleet, 'halt', 'stop rollouts: no node starts an update (running versions keep running); or halt one commit')
    .argument('<app>')
    .option('--commit <commit>', 'halt this commit only: no node deploys it, nodes on probation with it roll back')
    .option('--reason <text>', 'shown in status and logs', 'halted by an operator')
    .action((app: string, opts: EtcdFlags & { commit?: string; reason: string }) => actions().then((m) => m.fleetHalt(app, opts)));

  fleetCommand(fleet, 'resume', 'restart rollouts halted with `fleet halt`; or lift the halt of one commit')
    .argument('<app>')
    .option('--commit <commit>', 'lift the fleet-wide halt of this commit and forget its failures')
    .action((app: string, opts: EtcdFlags & { commit?: string }) => actions().then((m) => m.fleetResume(app, opts)));

  fleetCommand(fleet, 'wait', 'exit 0 once every live node (at least --nodes) is healthy on <commit>; else name the laggards')
    .argument('<app>')
    .argument('<commit>', 'a commit id, possibly abbreviated (7+ hex digits)')
    .option('--nodes <n>', 'fewest live nodes that must run it', '1')
    .option('--timeout <seconds>', 'give up after this long', '300')
    .action((app: string, commit: string, opts: EtcdFlags & { nodes: string; timeout: string }) => actions().then((m) => m.fleetWait(app, commit, opts)));
}
