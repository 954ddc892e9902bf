import { BrokerError, BrokerRefusedError, BrokerTimeoutError, BrokerUnreachableError } from '../../errors.js';
import { STATUS_CODES } from '../../status-codes.js';
import { millisOf, type RetryPolicy } from '../../wire/types.js';

/** RocketMQ's default producer back-off (ProxyConfig): 10 ms, doubling, at most 1 s. */
const DEFAULT_BACKOFF = { initialMs: 10, maxMs: 1000, multiplier: 2 };

/**
 * The refusals a send is retried after: throttling and transient failures of the broker or the
 * proxy. A missing topic, a refused client or message, or an unsupported request fail at once.
 */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([
  STATUS_CODES.REQUEST_TIMEOUT,
  STATUS_CODES.TOO_MANY_REQUESTS,
  STATUS_CODES.INTERNAL_ERROR,
  STATUS_CODES.INTERNAL_SERVER_ERROR,
  STATUS_CODES.HA_NOT_AVAILABLE,
  STATUS_CODES.PROXY_TIMEOUT,
  STATUS_CODES.MASTER_PERSISTENCE_TIMEOUT,
  STATUS_CODES.SLAVE_PERSISTENCE_TIMEOUT,
]);

/**
 * Whether a send that failed with `error` may succeed when sent again: the broker was unreachable
 * or did not answer in time, the client failed internally, or the broker refused with one of the
 * transient statuses above.
 */
export function isRetryable(error: BrokerError): boolean {
  if (error instanceof BrokerUnreachableError || error instanceof BrokerTimeoutError) return true;
  if (error instanceof BrokerRefusedError) return RETRYABLE_STATUSES.has(error.status);
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
