import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';

/** At most one log line about failed TLS handshakes per this many ms (a port scanner makes many). */
const LOG_EVERY_MS = 10_000;

const PLAINTEXT_ANSWER = 'This port speaks HTTPS only: open it with https://\n';

/**
 * Makes a failed TLS handshake on the HTTPS port clear to both sides: a client that sent plain
 * HTTP gets a plain `400` saying to use https (instead of a closed connection), and the broker
 * logs the failure at warn, at most one line per {@link LOG_EVERY_MS}, counting those left out.
 */
export function answerPlaintext(server: Server, log: Logger): void {
  let loggedAt = -Infinity;
  let unlogged = 0;
  server.on('tlsClientError', (error: Error & { code?: string }, socket: TLSSocket) => {
    // The TCP socket under the TLS one (not public in Node: without it the connection just closes).
    const raw = (socket as TLSSocket & { _parent?: Socket | null })._parent;
    if (error.code === 'ERR_SSL_HTTP_REQUEST' && raw && !raw.destroyed) {
      raw.end(
        `HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(PLAINTEXT_ANSWER)}\r\nconnection: close\r\n\r\n${PLAINTEXT_ANSWER}`,
      );
    } else {
      socket.destroy();
    }
    const now = Date.now();
    if (now - loggedAt < LOG_EVERY_MS) {
      unlogged += 1;
      return;
    }
    const plaintext = error.code === 'ERR_SSL_HTTP_REQUEST';
    log.warn(
      { peer: socket.remoteAddress, code: error.code, ...(unlogged > 0 && { repeated: unlogged }) },
      plaintext ? 'plain HTTP request on the HTTPS console port: answered 400' : 'TLS handshake on the console port failed',
    );
    loggedAt = now;
    unlogged = 0;
  });
}
