import { Counter, type Registry } from 'prom-client';
import type { AuthenticationFailure } from '../errors.js';
import { METRIC_PREFIX } from './metrics.js';

/** Where refused authentications are heard of (the broker's `AuthFailures`). */
export interface AuthFailureSource {
  onFailure(listener: (reason: AuthenticationFailure) => void): () => void;
}

/** Every reason, so that each series exists (at 0) before the first refusal. */
const REASONS: readonly AuthenticationFailure[] = ['no-credentials', 'unknown-access-key', 'bad-signature', 'clock-skew', 'malformed'];

/**
 * Registers `txmq_auth_failures_total{reason}` in `registry`, counting the refusals `source`
 * reports from now on; returns the function that stops counting. By reason only: the access key
 * comes from the caller, so it is no bounded label.
 */
export function countAuthFailures(registry: Registry, source: AuthFailureSource): () => void {
  const counter = new Counter({
    name: `${METRIC_PREFIX}auth_failures_total`,
    help: 'Calls refused because their credentials were missing, unknown, wrong, stale or malformed (gRPC and HTTP).',
    labelNames: ['reason'],
    registers: [registry],
  });
  for (const reason of REASONS) counter.labels(reason).inc(0);
  return source.onFailure((reason) => counter.labels(reason).inc());
}
