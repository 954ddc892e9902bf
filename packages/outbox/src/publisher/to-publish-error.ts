import {
  BrokerError,
  BrokerRefusedError,
  BrokerTimeoutError,
  BrokerUnreachableError,
  InvalidRequestError,
} from '@txmq/broker/client';
import { PublishError } from '../errors.js';

/**
 * Maps what the broker client threw to a {@link PublishError} the relay acts on. The client's
 * typed errors say what happened, so no `cause` chain is searched for gRPC or socket codes:
 *
 * - `BrokerUnreachableError`: the broker was not reached, the message is not at fault →
 *   `unavailable` (the relay pauses and does not count the attempt).
 * - `BrokerTimeoutError`: reached but no answer in time → retryable.
 * - `BrokerRefusedError`: the broker answered with a status → retryable as the status says
 *   (a refusal of the message itself, RocketMQ 4xxxx, is not; throttling or 5xxxx are).
 * - `InvalidRequestError`: the client refused the message before sending it → not retryable.
 * - anything else (another broker error, an unexpected failure) → retryable, so it is retried
 *   with backoff and parked only after `maxAttempts`.
 *
 * @param what - what failed, for the message, e.g. `publishing outbox message 42 to topic orders`.
 */
export function toPublishError(error: unknown, what: string): PublishError {
  if (error instanceof PublishError) return error;
  const message = `${what} failed: ${error instanceof Error ? error.message : String(error)}`;
  if (error instanceof BrokerUnreachableError) {
    return new PublishError(message, { cause: error, retryable: true, unavailable: true, transportCode: error.code });
  }
  if (error instanceof BrokerTimeoutError) {
    return new PublishError(message, { cause: error, retryable: true, transportCode: error.code });
  }
  if (error instanceof BrokerRefusedError) {
    return new PublishError(message, { cause: error, retryable: error.retryable, transportCode: error.code, status: error.status });
  }
  if (error instanceof InvalidRequestError) {
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
