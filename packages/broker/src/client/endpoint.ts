import { ConfigError } from '../errors.js';

/** The host of a bare `PORT`. */
const LOCAL_HOST = '127.0.0.1';
/** A host name or IPv4 address (no port, no scheme, no list). */
const HOST_NAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;
/** An IPv6 address in brackets, as gRPC targets write it. */
const BRACKETED_IPV6 = /^\[[0-9A-Fa-f:.]+\]$/;

/**
 * A broker address: `HOST:PORT` (a host name, an IPv4 address or a bracketed IPv6 address), or a
 * bare `PORT` meaning a broker on this machine (`127.0.0.1:PORT`); returned as `HOST:PORT`.
 * Anything else, a `;`-separated list included, is a {@link ConfigError} naming `option` (for
 * example `--endpoint`) and the value; with `client` (e.g. `producer`) worded as that client's option.
 */
export function parseEndpoint(text: string, option: string, client?: string): string {
  const trimmed = text.trim();
  const bad = (why = '') => {
    const problem = `must be HOST:PORT or a port of this machine (1-65535)${why}, got ${JSON.stringify(text)}`;
    return client === undefined ? new ConfigError(`${option} ${problem}`, { option, problem }) : ConfigError.forOption(client, option, problem);
  };
  if (/[;,]/.test(trimmed)) throw bad(': one address, not a list');
  const match = /^\d+$/.test(trimmed) ? ['', LOCAL_HOST, trimmed] : /^(.+):(\d+)$/.exec(trimmed);
  const host = match?.[1] ?? '';
  const port = Number(match?.[2]);
  if (!(HOST_NAME.test(host) || BRACKETED_IPV6.test(host)) || !Number.isInteger(port) || port < 1 || port > 65535) throw bad();
  return `${host}:${port}`;
}

/** Whether `endpoint` (as {@link parseEndpoint} returns it) names its host by an IPv6 address. */
export function isIpv6Endpoint(endpoint: string): boolean {
  return endpoint.startsWith('[');
}
