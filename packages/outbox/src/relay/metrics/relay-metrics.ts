import type { Registry } from 'prom-client';
import { InvalidOptionsError } from '../../errors.js';

/** Default of {@link RelayMetricsOptions.pendingCacheMs}. */
export const DEFAULT_PENDING_CACHE_MS = 1_000;

/** The `metrics` option of `createRelay`: report the relay's figures to a prom-client registry. */
export interface RelayMetricsOptions {
  /** The application's registry (default: prom-client's global `register`). */
  readonly registry?: Registry;
  /** Prepended to every metric name (default none: `txmq_relay_pending_rows`, ...). */
  readonly prefix?: string;
  /**
   * How long the pending-row figures, read with one query at scrape (or `relay.metrics()`), are
   * reused, in ms (default 1000; 0 reads them every time). Scrapes within that time share one query.
   */
  readonly pendingCacheMs?: number;
}

/** A snapshot of a relay's figures, as `relay.metrics()` returns it (the same figures the registry shows). */
export interface RelayMetrics {
  /** The schema of the relay's outbox: the `schema` label of its metrics. */
  readonly schema: string;
  /** Rows waiting to be published (due or not, leased or not; parked rows excluded). */
  readonly pendingRows: number;
  /** Age of the oldest pending row in seconds (0 when none). */
  readonly oldestPendingAgeSeconds: number;
  /** Rows this relay published. */
  readonly published: number;
  /** Publish attempts of this relay that failed (retried later, or parked); outage failures included. */
  readonly failed: number;
  /** Rows this relay parked. */
  readonly parked: number;
  /**
   * Whether the relay considers the broker down: its publisher could not start, or a publish
   * failed with an outage and none has got through since (the relay backs off and probes).
   */
  readonly outage: boolean;
}

/** The figures a relay keeps itself (everything but the pending rows, which are read from the table). */
export type RelayCounts = Pick<RelayMetrics, 'published' | 'failed' | 'parked' | 'outage'>;

/** {@link RelayMetricsOptions} checked, with defaults (but the registry, resolved where prom-client is loaded). */
export interface ResolvedMetricsOptions {
  readonly registry: Registry | undefined;
  readonly prefix: string;
  readonly pendingCacheMs: number;
}

const METRIC_PREFIX = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Checks the `metrics` option of `createRelay`. */
export function resolveMetricsOptions(metrics: unknown): ResolvedMetricsOptions {
  if (metrics === null || typeof metrics !== 'object') throw new InvalidOptionsError('metrics', 'must be an object { registry?, prefix?, pendingCacheMs? }');
  const { registry, prefix = '', pendingCacheMs = DEFAULT_PENDING_CACHE_MS } = metrics as RelayMetricsOptions;
  if (registry !== undefined && !isRegistry(registry)) {
    throw new InvalidOptionsError('metrics.registry', 'must be a prom-client Registry (with registerMetric, getSingleMetric and removeSingleMetric)');
  }
  if (typeof prefix !== 'string' || (prefix !== '' && !METRIC_PREFIX.test(prefix))) {
    throw new InvalidOptionsError('metrics.prefix', `must be a Prometheus metric name prefix ([a-zA-Z_:][a-zA-Z0-9_:]*), got ${JSON.stringify(prefix)}`);
  }
  if (!Number.isInteger(pendingCacheMs) || pendingCacheMs < 0) {
    throw new InvalidOptionsError('metrics.pendingCacheMs', `must be a non-negative integer, got ${String(pendingCacheMs)}`);
  }
  return { registry, prefix, pendingCacheMs };
}

function isRegistry(value: unknown): value is Registry {
  return (
    value !== null &&
    typeof value === 'object' &&
    ['registerMetric', 'getSingleMetric', 'removeSingleMetric'].every((m) => typeof (value as Record<string, unknown>)[m] === 'function')
  );
}
