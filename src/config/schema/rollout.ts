import { section } from './common.js';

/** Largest whole number of nodes or failures: far above any fleet, and safe from overflow. */
const MAX_NODES = 1_000_000;

export const rolloutSection = section(
  'Fleet coordination of this app\'s updates. It only matters when the daemon runs with `--etcd` '
  + '(or `HUDDLE_ETCD`); without etcd, or without this section, every node updates on its own as '
  + 'before. Leaving the section out leaves `rollout` out of the normalised config; an empty '
  + '`[rollout]` turns coordination on with every default.',
  {
    'max concurrent': {
      type: ['integer', 'string'],
      format: 'concurrency',
      minimum: 1,
      maximum: MAX_NODES,
      default: 1,
      description: 'Most nodes that update this app at the same time: a number of nodes, or a '
        + 'percentage of the live nodes that run the app (from `1%` to `100%`, rounded down so the bound '
        + 'holds, but at least one node). Normalised as a number (`3`) or as text ending in `%` (`"10%"`).',
      'x-ini': '`max concurrent = 3` or `max concurrent = 10%`',
    },
    'halt after': {
      type: 'integer',
      minimum: 1,
      maximum: MAX_NODES,
      default: 3,
      description: 'Distinct nodes that rolled a commit back before that commit is halted fleet-wide: '
        + 'no node deploys it, and nodes already on it roll back.',
    },
    'on etcd loss': {
      type: 'string',
      enum: ['hold', 'proceed'],
      default: 'hold',
      description: 'When etcd cannot be reached: `hold` keeps the running version and waits to update '
        + 'until etcd returns; `proceed` updates alone, uncoordinated. Apps keep running and being '
        + 'health-checked either way.',
    },
  },
);
