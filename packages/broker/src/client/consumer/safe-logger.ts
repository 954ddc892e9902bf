import type { ClientLogger } from '../types.js';

/** `logger` with every method made safe to call: what the user's logger throws is dropped. */
export function safeLogger(logger: ClientLogger): ClientLogger {
  const guard = (log: ((...args: unknown[]) => void) | undefined) => (...args: unknown[]) => {
    try {
      log?.apply(logger, args);
    } catch {
      // A logger that throws must not break the consumer that logs.
    }
  };
  return { info: guard(logger.info), debug: guard(logger.debug), warn: guard(logger.warn), error: guard(logger.error) };
}
