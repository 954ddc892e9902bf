import { loggerOf } from './client-logger.js';
import { parseEndpoint } from './endpoint.js';
import type { ClientLogger, ClientOptions } from './types.js';

// The official client's own default logger writes files under ~/logs: it always gets ours.
export { loggerOf };

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
