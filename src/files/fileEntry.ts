// One file that an app config places on the host (houston's `write_files`).

export interface FileEntry {
  /** Absolute, or relative to the directory of the config file. */
  path: string;
  /** The bytes to write (UTF-8). Exactly one of `content` and `source`. */
  content?: string;
  /** A file inside the checkout, relative to it. Exactly one of `content` and `source`. */
  source?: string;
  /** Octal permission bits, e.g. "0644" or "0640". */
  mode: string;
  /** User name or numeric uid; unset leaves ownership to the daemon. */
  owner?: string;
  /** Group name or numeric gid. */
  group?: string;
}

export interface FileDeployContext {
  checkoutDir: string;
  configDir: string;
}

export interface FileDeployResult {
  /** Absolute paths actually written, in entry order; empty when everything was already in place. */
  changed: string[];
}
