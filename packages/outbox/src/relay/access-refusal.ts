import type { ClientLogger } from '@txmq/broker/client';
import { PublishError } from '../errors.js';
import { ACCESS_REFUSALS } from '../publisher/to-publish-error.js';

/**
 * Whether `error` is the broker refusing who is calling (wrong or missing credentials, a user
 * without the right): no retry of the message fixes it, only a change of the relay's
 * `credentials` or of the broker's `acl`.
 */
export function isAccessRefusal(error: unknown): error is PublishError {
  return error instanceof PublishError && error.status !== undefined && ACCESS_REFUSALS.has(error.status);
}

/** Tells a refusal of access to `logger` (stderr by default) when the relay has no `onError`. */
export function logAccessRefusal(error: PublishError, logger: ClientLogger | undefined): void {
  const line = `${error.message} (the outbox rows stay pending; the relay tries again with backoff)`;
  if (logger !== undefined) logger.error(`[txmq relay] ${line}`);
  else console.error(`[txmq relay] ${line}`);
}
