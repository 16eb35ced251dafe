import { redactUrls } from '../util/redact.js';

export type GitErrorKind =
  | 'unreachable'
  | 'auth'
  | 'not-found'
  | 'corrupt'
  | 'local-changes'
  | 'locked'
  | 'timeout'
  | 'unknown';

export interface GitErrorDetails {
  /** For `local-changes`: the files that would be lost. */
  files?: readonly string[];
  exitCode?: number | null;
  /** git's own words (redacted), for status and logs. */
  stderr?: string;
}

/** A failed git operation, already classified so the daemon can decide without parsing text. */
export class GitError extends Error {
  override readonly name = 'GitError';
  readonly kind: GitErrorKind;
  readonly files: readonly string[];
  readonly exitCode: number | null;
  readonly stderr: string;

  constructor(kind: GitErrorKind, message: string, details: GitErrorDetails = {}) {
    // Remote URLs may carry user:token@; nothing that leaves this class may show them.
    super(redactUrls(message));
    this.kind = kind;
    this.files = details.files ?? [];
    this.exitCode = details.exitCode ?? null;
    this.stderr = redactUrls(details.stderr ?? '');
  }

  /**
   * The failure is this node's (its checkout, a lock, local edits, a slow disk), not the commit's:
   * the chart does not quarantine a commit for it (see UpdateCheckout's contract).
   */
  get nodeLocal(): boolean {
    return NODE_LOCAL.has(this.kind);
  }
}

const NODE_LOCAL: ReadonlySet<GitErrorKind> = new Set<GitErrorKind>(['corrupt', 'local-changes', 'locked', 'timeout']);

// Checked in order: the first match wins. git runs with LC_ALL=C, so the texts are stable.
// A missing local-path remote prints both "does not appear to be a git repository" and
// "Could not read from remote repository", hence not-found before unreachable.
const PATTERNS: ReadonlyArray<readonly [GitErrorKind, RegExp]> = [
  ['local-changes', /would be overwritten by|untracked working tree files would be/],
  [
    'auth',
    /authentication failed|terminal prompts disabled|could not read (username|password)|permission denied \(|host key verification failed|access denied|returned error: 40[13]|invalid username or password|invalid credentials/,
  ],
  [
    'not-found',
    /does not appear to be a git repository|repository .*(not found|does not exist)|repository not found|couldn't find remote ref|remote branch .* not found|not found in upstream|returned error: 404|not our ref|reference is not a tree|no such file or directory.*remote|unable to find remote helper/,
  ],
  [
    'corrupt',
    /not a git repository|bad object|corrupt|object file .* is empty|index file smaller|bad index|unable to read tree|loose object|invalid object|unable to read sha1|does not point to a valid object|cannot be accessed|\.lock': file exists|broken/,
  ],
  [
    'unreachable',
    /could not resolve (host|proxy)|failed to connect|couldn't connect|connection refused|connection timed out|connection reset|network is unreachable|no route to host|could not read from remote repository|unable to access|early eof|remote end hung up|operation timed out|ssl|gnutls|tls/,
  ],
];

export function classifyGitFailure(stderr: string): GitErrorKind {
  const text = stderr.toLowerCase();
  for (const [kind, pattern] of PATTERNS) {
    if (pattern.test(text)) return kind;
  }
  return 'unknown';
}

/** The lines of git's stderr worth showing: errors and fatals first, else the last lines. */
export function gitErrorSummary(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const important = lines.filter((l) => /^(fatal|error|remote|ssh):/i.test(l) || l.startsWith('\t'));
  return (important.length > 0 ? important : lines.slice(-3)).slice(0, 12).join('; ');
}
