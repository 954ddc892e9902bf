import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Logger } from 'pino';
import type { AdminBackend } from '../admin/backend.js';
import type { ResolvedTls } from '../auth/tls-config.js';
import { AddressInUseError } from '../errors.js';
import { apiRouter } from './api.js';
import type { HttpAuth } from './http-auth.js';
import type { BrokerMetrics } from './metrics.js';
import { answerPlaintext } from './plaintext-on-tls.js';
import { requestHandler } from './request-handler.js';
import { CONSOLE_DIR, loadStaticFiles } from './static-files.js';
import { Throughput } from './throughput.js';

/** Options of {@link startHttpServer}. */
export interface HttpServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly backend: AdminBackend;
  readonly metrics: BrokerMetrics;
  readonly log: Logger;
  /** Where the console's files are (default: this package's `console/`). */
  readonly consoleDir?: string;
  /** The clock of the throughput series (default Date.now). */
  readonly now?: () => number;
  /** Under an `acl`: only its admins may use the port (HTTP Basic). Default: open. */
  readonly auth?: HttpAuth | undefined;
  /** Serve HTTPS with this certificate (the gRPC port's). Default: plain HTTP. */
  readonly tls?: ResolvedTls | undefined;
}

/** The broker's HTTP port: the console, its JSON API under `/api/`, and `/metrics`. */
export interface RunningHttpServer {
  readonly host: string;
  readonly port: number;
  /** `https` with TLS, else `http`. */
  readonly scheme: 'http' | 'https';
  /** Stops listening and ends open connections. */
  close(): Promise<void>;
  /** Lets the process exit while it listens. */
  unref(): void;
}

/**
 * Listens on `host:port` with the console, the API and the metrics.
 *
 * @throws {@link AddressInUseError} (`ADDRESS_IN_USE`, surface `http`) when another process listens there.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const throughput = new Throughput(options.now);
  const unsubscribe = options.backend.onMessageEvents(throughput.record);
  const handler = requestHandler({
    api: apiRouter(options.backend, throughput),
    metrics: options.metrics,
    files: loadStaticFiles(options.consoleDir ?? CONSOLE_DIR),
    log: options.log,
    host: options.host,
    auth: options.auth,
  });
  const timeouts = { requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 };
  const server: Server = options.tls
    ? createHttpsServer({ ...timeouts, cert: options.tls.cert, key: options.tls.key.reveal() }, handler)
    : createServer(timeouts, handler);
  if (options.tls) answerPlaintext(server, options.log);
  let port: number;
  try {
    port = await listen(server, options.host, options.port);
  } catch (error) {
    unsubscribe();
    throw (error as NodeJS.ErrnoException)?.code === 'EADDRINUSE'
      ? new AddressInUseError('http', `HTTP port ${options.port} on ${options.host} is already in use`, { cause: error })
      : error;
  }
  let closing: Promise<void> | undefined;
  return {
    host: options.host,
    port,
    scheme: options.tls ? 'https' : 'http',
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        unsubscribe();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
    unref: () => server.unref(),
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
