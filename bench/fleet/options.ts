import { parseArgs } from 'node:util';

export interface FleetBenchOptions {
  /** Simulated nodes, each with its own supervisor, app, lease and fleet link. */
  nodes: number;
  /** `max concurrent` as a percentage of the nodes. */
  percent: number;
  /** Per-node update time the fake app takes (stop + checkout + probation), in ms. */
  updateMs: number;
  /** Seconds of the at-rest window. */
  restSeconds: number;
  /** Each node polls its remote every [poll, 2 × poll] ms. */
  pollMs: number;
  /** Node lease TTL (s): keepalives go every TTL/3. */
  leaseTtl: number;
  /** Slot count sampling period (ms). */
  sampleMs: number;
  /**
   * etcd clients the nodes share, round-robin (1: one connection for the whole fleet; `--clients`
   * = nodes: one each, as real hosts would have).
   */
  clients: number;
  /** 0: every node polls the moment the commit is pushed (the thundering herd); else at a random time within this many ms. */
  spreadMs: number;
}

const USAGE = 'usage: node dist/bench/fleet/rollout.js [--nodes 200] [--percent 10] [--update-ms 500] ' +
  '[--rest 20] [--poll-ms 5000] [--lease-ttl 10] [--sample-ms 20] [--clients 1] [--spread-ms 0]';

export function parseOptions(argv: string[] = process.argv.slice(2)): FleetBenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      nodes: { type: 'string' },
      percent: { type: 'string' },
      'update-ms': { type: 'string' },
      rest: { type: 'string' },
      'poll-ms': { type: 'string' },
      'lease-ttl': { type: 'string' },
      'sample-ms': { type: 'string' },
      clients: { type: 'string' },
      'spread-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const whole = (text: string | undefined, fallback: number, name: string, min: number, max = Infinity) => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new Error(`--${name} must be a whole number in [${min}, ${max}], not "${text}"\n${USAGE}`);
    }
    return n;
  };
  return {
    nodes: whole(values.nodes, 200, 'nodes', 1),
    percent: whole(values.percent, 10, 'percent', 1, 100),
    updateMs: whole(values['update-ms'], 500, 'update-ms', 50),
    restSeconds: whole(values.rest, 20, 'rest', 1),
    pollMs: whole(values['poll-ms'], 5000, 'poll-ms', 100),
    leaseTtl: whole(values['lease-ttl'], 10, 'lease-ttl', 1),
    sampleMs: whole(values['sample-ms'], 20, 'sample-ms', 1),
    clients: whole(values.clients, 1, 'clients', 1),
    spreadMs: whole(values['spread-ms'], 0, 'spread-ms', 0),
  };
}
