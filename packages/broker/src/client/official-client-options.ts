import { format } from 'node:util';
import { parseEndpoint } from './endpoint.js';
import type { ClientLogger, ClientOptions } from './types.js';

/** Warnings and errors to stderr; the official client's own default writes files under ~/logs. */
const STDERR_LOGGER: ClientLogger = {
  info: () => undefined,
  debug: () => undefined,
  warn: (...args) => console.warn(`[txmq client] ${format(...args)}`),
  error: (...args) => console.error(`[txmq client] ${format(...args)}`),
};

/** The logger a client logs to. */
export function loggerOf(options: ClientOptions): ClientLogger {
  return options.logger ?? STDERR_LOGGER;
}

/** The logger in the shape the official client takes; it calls `close()` on shutdown, which must not end the user's logger. */
export function officialLogger(logger: ClientLogger) {
  return {
    info: logger.info.bind(logger),
    warn: logger.warn.bind(logger),
    error: logger.error.bind(logger),
    debug: (...args: unknown[]) => logger.debug?.(...args),
    close: () => undefined,
  };
}

/** The `HOST:PORT` a client connects to (its checked `endpoints`, a bare port completed). */
export function endpointOf(options: ClientOptions): string {
  return parseEndpoint(options.endpoints, 'endpoints');
}

/** Options in the shape the official client's constructors take. */
export function officialOptions(options: ClientOptions) {
  return {
    endpoints: endpointOf(options),
    namespace: options.namespace ?? '',
    ...(options.requestTimeoutMs !== undefined && { requestTimeout: options.requestTimeoutMs }),
    ...(options.sslEnabled !== undefined && { sslEnabled: options.sslEnabled }),
    logger: officialLogger(loggerOf(options)),
  };
}
