import { ConfigError, type ClientOptions } from '@txmq/broker/client';
import { InvalidOptionsError } from '@txmq/outbox';
import type { ResolvedOptions } from './options.js';

/** What every broker client of the module is given: where the broker is, how to sign in and reach it, where to log. */
export function clientOptions({ endpoints, namespace, logger, security }: ResolvedOptions): ClientOptions {
  return { endpoints, ...(namespace !== undefined && { namespace }), ...(logger !== undefined && { logger }), ...security };
}

/**
 * Creates a broker client with `create`; an option the client refuses (its `ConfigError`, e.g.
 * an unreadable `tlsRootCertFile`) becomes the module's `InvalidOptionsError` naming it.
 */
export function moduleClient<T>(create: () => T): T {
  try {
    return create();
  } catch (error) {
    if (error instanceof ConfigError && error.option !== undefined && error.problem !== undefined) {
      throw new InvalidOptionsError(error.option, error.problem, { cause: error });
    }
    throw error;
  }
}
