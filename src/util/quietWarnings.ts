/**
 * grpc-js (under etcd3) sets the TLS server name to the endpoint's host. With an IP address, a
 * common way to name etcd members, Node then warns (DEP0123) on every connection about a value
 * huddle does not choose; the certificate is still checked against the IP. Only that warning is
 * dropped.
 */
export function dropTlsServernameWarning(): void {
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((...args: unknown[]) => {
    const [, second, third] = args;
    const code = typeof second === 'object' && second !== null ? (second as { code?: string }).code : third;
    if (code === 'DEP0123') return;
    emit(...args);
  }) as typeof process.emitWarning;
}
