/**
 * Drops Node's DEP0123 warning ("Setting the TLS ServerName to an IP address...") from this
 * process: grpc-js sends the host of an `--endpoint 10.0.0.5:8081` as the TLS server name, and
 * Node warns about that on stderr of every such command. The certificate is still checked against
 * that address; the warning tells an operator nothing to act on. Every other warning is kept.
 */
export function dropIpServerNameWarning(): void {
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
    const [typeOrOptions, code] = rest;
    const given = typeof typeOrOptions === 'object' && typeOrOptions !== null ? (typeOrOptions as { code?: unknown }).code : code;
    if (given === 'DEP0123' || (warning as { code?: unknown } | null)?.code === 'DEP0123') return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}
