import { dirname, resolve } from 'node:path';
import type { LoadedApp } from './types.js';

export interface AppPaths {
  /** The working copy. */
  localPath: string;
  /** The app's working directory; set when the config has an `[application]`. */
  cwd?: string;
  /** The trusted keys of `[repository.verify]`; set when the config has that section. */
  verify?: { allowedSigners?: string; gpgKeyring?: string };
  /** Each entry of `files`, in order: where it is written and, for `source`, what is copied. */
  files?: { path: string; source?: string }[];
}

/**
 * The app's paths, absolute. Relative paths in a config are relative to the directory of its
 * file, so a config directory can be moved as a whole; a file's `source` is relative to the
 * working copy (the loader has made sure it stays inside).
 */
export function resolveAppPaths(app: LoadedApp): AppPaths {
  const base = dirname(app.file);
  const { repository, application, files } = app.config;
  const paths: AppPaths = { localPath: resolve(base, repository['local path']) };
  if (application) paths.cwd = resolve(base, application.cwd);
  if (repository.verify) {
    const signers = repository.verify['allowed signers'];
    const keyring = repository.verify['gpg keyring'];
    paths.verify = {
      ...(signers !== undefined ? { allowedSigners: resolve(base, signers) } : {}),
      ...(keyring !== undefined ? { gpgKeyring: resolve(base, keyring) } : {}),
    };
  }
  if (files.length > 0) {
    const localPath = paths.localPath;
    paths.files = files.map((file) => (file.source !== undefined
      ? { path: resolve(base, file.path), source: resolve(localPath, file.source) }
      : { path: resolve(base, file.path) }));
  }
  return paths;
}
