import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { FleetOptions } from '../daemon/fleetLink.js';

/** The etcd flags as commander parses them. */
export interface EtcdFlags {
  etcd?: string;
  nodeId?: string;
  etcdCa?: string;
  etcdCert?: string;
  etcdKey?: string;
  etcdUser?: string;
  etcdPasswordFile?: string;
  etcdLeaseTtl?: string;
}

/** The etcd connection flags shared by `huddle run` and `huddle fleet …`. */
export function addEtcdOptions(command: Command): Command {
  return command
    .option('--etcd <urls>', 'etcd endpoints (comma-separated) for fleet coordination; default $HUDDLE_ETCD')
    .option('--etcd-ca <file>', 'PEM CA bundle that signed the etcd servers (turns TLS on)')
    .option('--etcd-cert <file>', 'PEM client certificate for etcd (with --etcd-key)')
    .option('--etcd-key <file>', 'PEM private key of --etcd-cert')
    .option('--etcd-user <name>', 'etcd user; the password comes from $HUDDLE_ETCD_PASSWORD or --etcd-password-file')
    .option('--etcd-password-file <file>', "file holding the etcd user's password (never put it on the command line)");
}

/**
 * Fleet options from the flags and the environment. Throws an Error naming the flag at fault; the
 * password is read from a file or the environment so it never shows in `ps`.
 */
export function fleetOptionsOf(flags: EtcdFlags, env: NodeJS.ProcessEnv = process.env): FleetOptions {
  const urls = (flags.etcd ?? env.HUDDLE_ETCD ?? '').split(',').map((u) => u.trim()).filter(Boolean);
  const options: FleetOptions = {};
  if (urls.length) options.etcd = urls;
  if (flags.nodeId) options.nodeId = flags.nodeId;
  if (flags.etcdCert !== undefined && flags.etcdKey === undefined) throw new Error('--etcd-cert needs --etcd-key');
  if (flags.etcdKey !== undefined && flags.etcdCert === undefined) throw new Error('--etcd-key needs --etcd-cert');
  if (flags.etcdCa !== undefined || flags.etcdCert !== undefined) {
    options.etcdTls = {
      ...(flags.etcdCa === undefined ? {} : { ca: flags.etcdCa }),
      ...(flags.etcdCert === undefined ? {} : { cert: flags.etcdCert, key: flags.etcdKey! }),
    };
  }
  if (flags.etcdUser !== undefined) {
    options.etcdAuth = { username: flags.etcdUser, password: passwordOf(flags, env) };
  } else if (flags.etcdPasswordFile !== undefined) {
    throw new Error('--etcd-password-file needs --etcd-user');
  }
  if (flags.etcdLeaseTtl !== undefined) {
    const ttl = Number(flags.etcdLeaseTtl);
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 3600) {
      throw new Error(`--etcd-lease-ttl: expected whole seconds from 1 to 3600, got ${JSON.stringify(flags.etcdLeaseTtl)}`);
    }
    options.etcdLeaseTtl = ttl;
  }
  if (!options.etcd && (options.etcdTls || options.etcdAuth || flags.nodeId || options.etcdLeaseTtl)) {
    throw new Error('etcd options given without endpoints: add --etcd URL (or set HUDDLE_ETCD)');
  }
  return options;
}

function passwordOf(flags: EtcdFlags, env: NodeJS.ProcessEnv): string {
  if (flags.etcdPasswordFile !== undefined) {
    try {
      return readFileSync(flags.etcdPasswordFile, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      throw new Error(`--etcd-password-file: cannot read ${flags.etcdPasswordFile}: ${(error as Error).message}`);
    }
  }
  const password = env.HUDDLE_ETCD_PASSWORD;
  if (password === undefined) throw new Error('--etcd-user needs a password: set HUDDLE_ETCD_PASSWORD or use --etcd-password-file');
  return password;
}
