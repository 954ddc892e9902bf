import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import type { AdminBackend } from '../admin/backend.js';
import { BrokerError } from '../errors.js';
import { apiRouter } from './api.js';
import type { BrokerMetrics } from './metrics.js';
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
}

/** The broker's HTTP port: the console, its JSON API under `/api/`, and `/metrics`. */
export interface RunningHttpServer {
  readonly host: string;
  readonly port: number;
  /** Stops listening and ends open connections. */
  close(): Promise<void>;
  /** Lets the process exit while it listens. */
  unref(): void;
}

/**
 * Listens on `host:port` with the console, the API and the metrics.
 *
 * @throws {@link BrokerError} `ADDRESS_IN_USE` when another process listens there.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const throughput = new Throughput(options.now);
  const unsubscribe = options.backend.onMessageEvents(throughput.record);
  const server = createServer(
    { requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 },
    requestHandler({
      api: apiRouter(options.backend, throughput),
      metrics: options.metrics,
      files: loadStaticFiles(options.consoleDir ?? CONSOLE_DIR),
      log: options.log,
    }),
  );
  let port: number;
  try {
    port = await listen(server, options.host, options.port);
  } catch (error) {
    unsubscribe();
    throw (error as NodeJS.ErrnoException)?.code === 'EADDRINUSE'
      ? new BrokerError('ADDRESS_IN_USE', `HTTP port ${options.port} on ${options.host} is already in use`, { cause: error })
      : error;
  }
  let closing: Promise<void> | undefined;
  return {
    host: options.host,
    port,
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
