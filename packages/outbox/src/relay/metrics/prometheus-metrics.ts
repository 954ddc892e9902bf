import { Counter, Gauge, register as globalRegistry, type Metric, type Registry } from 'prom-client';
import { InvalidOptionsError } from '../../errors.js';
import type { PendingSummary } from '../../outbox/pending.js';
import type { RelayCounts, ResolvedMetricsOptions } from './relay-metrics.js';

/** What one relay reports: its schema (the label), its own counts, and the table's pending figures. */
export interface RelayMetricsSource {
  readonly schema: string;
  counts(): RelayCounts;
  pending(): Promise<PendingSummary>;
  /** Receives a failed pending read; that scrape then has no sample of the two pending gauges for this schema. */
  onError(error: unknown): void;
}

/** Metric names without the prefix; each has one label, `schema`. */
export const RELAY_METRIC_NAMES = [
  'txmq_relay_pending_rows',
  'txmq_relay_oldest_pending_age_seconds',
  'txmq_relay_published_total',
  'txmq_relay_failed_total',
  'txmq_relay_parked_total',
  'txmq_relay_outage',
] as const;

/**
 * The relay metrics of one registry and prefix, shared by the relays reporting there: each adds
 * its series, labelled with its schema. Every figure is read at scrape, so a relay's series
 * disappear when it leaves.
 */
class RelayMetricFamily {
  readonly sources = new Map<string, RelayMetricsSource>();
  readonly metrics: Metric[];
  readonly names: string[];

  constructor(prefix: string) {
    const sources = this.sources;
    const name = (base: (typeof RELAY_METRIC_NAMES)[number]) => `${prefix}${base}`;
    this.names = RELAY_METRIC_NAMES.map(name);
    const labelNames = ['schema'] as const;
    const counter = (base: (typeof RELAY_METRIC_NAMES)[number], help: string, count: (c: RelayCounts) => number) =>
      new Counter({
        name: name(base),
        help,
        labelNames,
        registers: [],
        collect() {
          this.reset();
          for (const source of sources.values()) this.inc({ schema: source.schema }, count(source.counts()));
        },
      });
    this.metrics = [
      new Gauge({
        name: name('txmq_relay_pending_rows'),
        help: 'Outbox rows waiting to be published (due or not, leased or not; parked rows excluded), read from the table at scrape.',
        labelNames,
        registers: [],
        async collect() {
          const read = await readAll(sources);
          this.reset();
          for (const [schema, pending] of read) if (pending !== undefined) this.set({ schema }, pending.rows);
        },
      }),
      new Gauge({
        name: name('txmq_relay_oldest_pending_age_seconds'),
        help: 'Age of the oldest pending outbox row in seconds (0 when none), read from the table at scrape.',
        labelNames,
        registers: [],
        async collect() {
          const read = await readAll(sources);
          this.reset();
          for (const [schema, pending] of read) if (pending !== undefined) this.set({ schema }, pending.oldestAgeMs / 1000);
        },
      }),
      counter('txmq_relay_published_total', 'Outbox rows the relay published.', (c) => c.published),
      counter('txmq_relay_failed_total', 'Publish attempts of the relay that failed (retried later or parked), outages included.', (c) => c.failed),
      counter('txmq_relay_parked_total', 'Outbox rows the relay parked (see txmq-outbox parked).', (c) => c.parked),
      new Gauge({
        name: name('txmq_relay_outage'),
        help: '1 while the relay considers the broker down (its publisher could not start, or publishes fail with an outage) and backs off; 0 otherwise.',
        labelNames,
        registers: [],
        collect() {
          this.reset();
          for (const source of sources.values()) this.set({ schema: source.schema }, source.counts().outage ? 1 : 0);
        },
      }),
    ];
  }
}

/** Each source's pending figures (undefined when the read failed, after reporting it). */
async function readAll(sources: Map<string, RelayMetricsSource>): Promise<Array<[string, PendingSummary | undefined]>> {
  return Promise.all(
    [...sources.values()].map(async (source): Promise<[string, PendingSummary | undefined]> => {
      try {
        return [source.schema, await source.pending()];
      } catch (error) {
        source.onError(error);
        return [source.schema, undefined];
      }
    }),
  );
}

const families = new WeakMap<Registry, Map<string, RelayMetricFamily>>();

/**
 * Adds a relay's series to the registry; returns the function that removes them (and the metrics
 * themselves once no relay reports there any more).
 * @throws InvalidOptionsError when a relay of the same schema already reports to that registry
 *   (their series would be one), or when another metric of the registry has one of the names.
 */
export function registerRelayMetrics(options: ResolvedMetricsOptions, source: RelayMetricsSource): () => void {
  const registry = options.registry ?? globalRegistry;
  const byPrefix = families.get(registry) ?? new Map<string, RelayMetricFamily>();
  families.set(registry, byPrefix);
  let family = byPrefix.get(options.prefix);
  if (family === undefined) {
    const taken = RELAY_METRIC_NAMES.map((n) => `${options.prefix}${n}`).filter((n) => registry.getSingleMetric(n) !== undefined);
    if (taken.length > 0) {
      throw new InvalidOptionsError('metrics.registry', `already has a metric named ${taken.join(', ')} that no relay registered; use another registry or metrics.prefix`);
    }
    family = new RelayMetricFamily(options.prefix);
    for (const metric of family.metrics) registry.registerMetric(metric);
    byPrefix.set(options.prefix, family);
  } else if (family.sources.has(source.schema)) {
    throw new InvalidOptionsError(
      'metrics',
      `a relay of schema "${source.schema}" already reports to this registry (series ${options.prefix}txmq_relay_*{schema="${source.schema}"}); ` +
        'stop it first, or give this relay another registry or metrics.prefix',
    );
  }
  family.sources.set(source.schema, source);
  const joined = family;
  return () => {
    if (joined.sources.get(source.schema) !== source) return;
    joined.sources.delete(source.schema);
    if (joined.sources.size > 0) return;
    joined.metrics.forEach((metric, i) => {
      const name = joined.names[i]!;
      if (registry.getSingleMetric(name) === metric) registry.removeSingleMetric(name);
    });
    if (byPrefix.get(options.prefix) === joined) byPrefix.delete(options.prefix);
  };
}
