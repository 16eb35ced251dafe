// Signals that can be asked of an app to make it stop: the POSIX signals whose default action
// ends the process. Stop/continue/ignore-by-default signals (SIGSTOP, SIGTSTP, SIGCONT, SIGCHLD,
// SIGWINCH, SIGURG …) would leave the app running until the stop timeout, so they are refused.
export const STOP_SIGNALS = [
  'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGKILL', 'SIGUSR1', 'SIGUSR2', 'SIGABRT',
  'SIGALRM', 'SIGPIPE', 'SIGPROF', 'SIGVTALRM', 'SIGXCPU', 'SIGXFSZ', 'SIGSYS', 'SIGTRAP',
  'SIGBUS', 'SIGFPE', 'SIGILL', 'SIGSEGV', 'SIGIO',
] as const;
