import type { RetryBackoff } from './types.js';

/** The shortest wait before delivery attempt `attempts + 1`: `initial × multiplier^(attempts-1)`, capped. */
export function retryDelayMs(backoff: RetryBackoff, attempts: number): number {
  const exponent = Math.max(0, attempts - 1);
  return Math.min(backoff.maxMs, Math.round(backoff.initialMs * backoff.multiplier ** exponent));
}
