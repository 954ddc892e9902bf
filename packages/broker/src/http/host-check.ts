import { isIP } from 'node:net';
import { HttpError } from './http-error.js';

/**
 * Refuses (421) a request whose `Host` names a host other than an IP address, `localhost` or
 * `listenHost`: a page of another site whose name was made to resolve to this machine (DNS
 * rebinding) would otherwise read and change the console as a page of the broker's own origin.
 * A request without `Host` (HTTP/1.0, no browser) passes.
 */
export function checkHost(hostHeader: string | undefined, listenHost: string): void {
  if (hostHeader === undefined || hostHeader === '') return;
  const name = hostnameOf(hostHeader);
  if (name !== undefined && (isIP(name) !== 0 || name === 'localhost' || name === listenHost.toLowerCase())) return;
  throw new HttpError(
    421,
    'MISDIRECTED_REQUEST',
    `the Host header ${JSON.stringify(hostHeader)} names neither an IP address, localhost nor the broker's host ${JSON.stringify(listenHost)}: open the console by one of those`,
  );
}

/** The host name of a `Host` header (`name`, `name:port`, `[v6]`, `[v6]:port`), lower-cased and without a trailing dot. */
function hostnameOf(header: string): string | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+))(?::\d*)?$/.exec(header.trim());
  if (!match) return undefined;
  return (match[1] ?? match[2]!).toLowerCase().replace(/\.$/, '');
}
