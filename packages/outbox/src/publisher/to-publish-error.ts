import {
  BrokerError,
  BrokerRefusedError,
  BrokerTimeoutError,
  BrokerUnreachableError,
  ConfigError,
  InvalidRequestError,
  STATUS_CODES,
} from '@txmq/broker/client';
import { PublishError } from '../errors.js';

/**
 * Refusals about who is calling or where, not about the message: the same message goes through
 * once the access is fixed, so they are outages, not attempts of the row.
 */
export const ACCESS_REFUSALS: ReadonlySet<number> = new Set([
  STATUS_CODES.ILLEGAL_ACCESS_POINT,
  STATUS_CODES.UNAUTHORIZED,
  STATUS_CODES.FORBIDDEN,
  STATUS_CODES.UNRECOGNIZED_CLIENT_TYPE,
  STATUS_CODES.CLIENT_ID_REQUIRED,
]);

/**
 * Maps what the broker client threw to a {@link PublishError} the relay acts on. The client's
 * typed errors say what happened, so no `cause` chain is searched for gRPC or socket codes:
 *
 * - `BrokerUnreachableError`: the broker was not reached → `unavailable` (the relay pauses and
 *   does not count the attempt).
 * - `BrokerTimeoutError`: reached but no answer in time → `unavailable` too: a hung or partitioned
 *   broker is an outage, and it may have stored the message (consumers deduplicate).
 * - `BrokerRefusedError`: the broker answered with a status → a refusal of access
 *   ({@link ACCESS_REFUSALS}) is `unavailable`; otherwise retryable as the status says (a
 *   refusal of the message itself, RocketMQ 4xxxx, is not; throttling or 5xxxx are).
 * - `InvalidRequestError` (the client refused the message before sending it) and `ConfigError`
 *   (the client's options are wrong; no retry fixes them) → not retryable.
 * - anything else (another broker error, an unexpected failure) → retryable, so it is retried
 *   with backoff and parked only after `maxAttempts`.
 *
 * @param what - what failed, for the message, e.g. `publishing outbox message 42 to topic orders`.
 */
export function toPublishError(error: unknown, what: string): PublishError {
  if (error instanceof PublishError) return error;
  const message = `${what} failed: ${error instanceof Error ? error.message : String(error)}`;
  if (error instanceof BrokerUnreachableError || error instanceof BrokerTimeoutError) {
    return new PublishError(message, { cause: error, retryable: true, unavailable: true, transportCode: error.code });
  }
  if (error instanceof BrokerRefusedError) {
    const unavailable = ACCESS_REFUSALS.has(error.status);
    return new PublishError(message, { cause: error, retryable: unavailable || error.retryable, unavailable, transportCode: error.code, status: error.status });
  }
  if (error instanceof InvalidRequestError || error instanceof ConfigError) {
    return new PublishError(message, { cause: error, retryable: false, transportCode: error.code, ...statusOf(error) });
  }
  if (error instanceof BrokerError) {
    return new PublishError(message, { cause: error, retryable: true, transportCode: error.code, ...statusOf(error) });
  }
  return new PublishError(message, { cause: error, retryable: true });
}

function statusOf(error: BrokerError): { status?: number } {
  const status = error.status;
  return status === undefined ? {} : { status };
}
