import type { AddressInfo } from 'node:net';

/** What a service sends its supervisor (over IPC) once it serves requests. */
export interface ReadyMessage {
  readonly type: 'ready';
  readonly name: string;
  readonly url: string;
}

/** The `http://host:port` a server listening on `address` (bound to `host`) is reached at. */
export function urlOf(address: AddressInfo | string | null, host: string): string {
  if (address === null || typeof address === 'string') throw new Error(`not listening on a TCP port: ${String(address)}`);
  return httpUrl(host, address.port);
}

/** `http://host:port`, with a wildcard host (`0.0.0.0`, `::`) shown as 127.0.0.1. */
export function httpUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

/** Prints `NAME ready at URL` and tells a supervisor, if there is one. */
export function announceReady(name: string, url: string): void {
  console.log(`${name} ready at ${url}`);
  const message: ReadyMessage = { type: 'ready', name, url };
  process.send?.(message);
}
