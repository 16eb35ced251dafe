/**
 * Node options the daemon runs with wherever huddle launches it (the systemd unit, the cron line,
 * `npm start`; `huddle run` typed by hand logs that it runs without them). Not in the bin's
 * shebang: any V8 flag makes Node refuse the code cache of its own modules, ~10 ms on every CLI
 * command. The daemon is I/O-bound and long-lived on small devices:
 * - `--max-semi-space-size=1`: V8's young generation otherwise grows to 16 MB semi-spaces and keeps
 *   them, which is most of the growth with the number of apps (and makes every fork for git dearer);
 * - `--lite-mode`: no optimising compiler, far less code and metadata in memory; huddle spends its
 *   time waiting on git, processes and sockets, never in hot loops;
 * - `--no-expose-wasm`: lite mode turns WebAssembly off anyway; saying so keeps V8 from printing a
 *   warning at every start (nothing in the daemon uses WebAssembly or `fetch`).
 * Measured in bench/RESULTS.md (footprint).
 */
export const DAEMON_NODE_FLAGS = ['--max-semi-space-size=1', '--lite-mode', '--no-expose-wasm'] as const;
