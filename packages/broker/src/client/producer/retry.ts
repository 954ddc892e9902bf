import { BrokerError, BrokerRefusedError, BrokerTimeoutError, BrokerUnreachableError } from '../../errors.js';
import { millisOf, type RetryPolicy } from '../../wire/types.js';

/** RocketMQ's default producer back-off (ProxyConfig): 10 ms, doubling, at most 1 s. */
const DEFAULT_BACKOFF = { initialMs: 10, maxMs: 1000, multiplier: 2 };

/**
 * Whether a send that failed with `error` may succeed when sent again: the broker was unreachable
 * or slow, it failed internally, or it refused the request for a reason other than the message
 * itself (see `BrokerRefusedError.retryable`).
 */
export function isRetryable(error: BrokerError): boolean {
  if (error instanceof BrokerUnreachableError || error instanceof BrokerTimeoutError) return true;
  if (error instanceof BrokerRefusedError) return error.retryable;
  return error.code === 'INTERNAL_ERROR';
}

/**
 * The pause before send attempt `attempt` + 1 (`attempt` ≥ 1 attempts failed), from the
 * exponential back-off the broker announced in its Settings, else RocketMQ's default.
 */
export function backoffMs(attempt: number, policy: RetryPolicy | undefined): number {
  const exponential = policy?.exponentialBackoff;
  const initialMs = millisOf(exponential?.initial) || DEFAULT_BACKOFF.initialMs;
  const maxMs = millisOf(exponential?.max) || DEFAULT_BACKOFF.maxMs;
  const multiplier = exponential?.multiplier && exponential.multiplier >= 1 ? exponential.multiplier : DEFAULT_BACKOFF.multiplier;
  return Math.min(maxMs, initialMs * multiplier ** (attempt - 1));
}
