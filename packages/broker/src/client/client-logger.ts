import { format } from 'node:util';
import type { ClientLogger, ClientOptions } from './types.js';

/** Warnings and errors to stderr. */
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
