import type { SystemKey } from './systems.js';

/** Reads one measured value (undefined when it was not measured). */
export type Lookup = (figure: string, system: SystemKey) => number | undefined;

/** One target of the issue, checked against this run. */
export interface TargetCheck {
  readonly id: string;
  /** The target as the issue states it. */
  readonly text: string;
  /** The figure whose row shows it. */
  readonly row: string;
  /** The measured ratio (unit `×`) or quantity (`MB`, `ms`); undefined when an input is missing. */
  readonly value: number | undefined;
  readonly unit: '×' | 'MB' | 'ms';
  readonly comparison: '>=' | '<=' | '<';
  readonly limit: number;
  /** Whether it is met; undefined when it could not be checked. */
  readonly met: boolean | undefined;
  readonly note?: string;
}

interface Spec {
  readonly id: string;
  readonly text: string;
  readonly row: string;
  readonly unit: TargetCheck['unit'];
  readonly comparison: TargetCheck['comparison'];
  readonly limit: number;
  value(get: Lookup): number | undefined;
}

const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 ? undefined : a / b);

const SPECS: readonly Spec[] = [
  { id: 'publish-vs-nats', text: 'publish ≥ 1.0× JetStream', row: 'publish_msg_s', unit: '×', comparison: '>=', limit: 1,
    value: (get) => ratio(get('publish_msg_s', 'txmq'), get('publish_msg_s', 'nats')) },
  { id: 'publish-vs-rabbit', text: 'publish ≥ 2× RabbitMQ classic', row: 'publish_msg_s', unit: '×', comparison: '>=', limit: 2,
    value: (get) => ratio(get('publish_msg_s', 'txmq'), get('publish_msg_s', 'rabbitClassic')) },
  { id: 'consume-vs-nats', text: 'consume ≥ 1.0× JetStream', row: 'consume_msg_s', unit: '×', comparison: '>=', limit: 1,
    value: (get) => ratio(get('consume_msg_s', 'txmq'), get('consume_msg_s', 'nats')) },
  { id: 'e2e-p99-vs-nats', text: 'e2e p99 ≤ 2× JetStream', row: 'e2e_p99_ms', unit: '×', comparison: '<=', limit: 2,
    value: (get) => ratio(get('e2e_p99_ms', 'txmq'), get('e2e_p99_ms', 'nats')) },
  { id: 'official-vs-ceiling', text: 'official client ≥ 0.9× its no-op ceiling', row: 'noop_publish_msg_s', unit: '×', comparison: '>=', limit: 0.9,
    value: (get) => ratio(get('official_paired_msg_s', 'txmqOfficial'), get('noop_publish_msg_s', 'txmqOfficial')) },
  { id: 'backlog-rss', text: 'RSS < 300 MB with 1,000,000 stored', row: 'rss_backlog_mb', unit: 'MB', comparison: '<', limit: 300,
    value: (get) => get('rss_backlog_mb', 'txmq') },
  { id: 'backlog-consume', text: 'from backlog ≥ 0.8× from empty', row: 'consume_backlog_msg_s', unit: '×', comparison: '>=', limit: 0.8,
    value: (get) => ratio(get('consume_backlog_msg_s', 'txmq'), get('consume_empty_msg_s', 'txmq')) },
  { id: 'relay-vs-postgres', text: 'relay ≥ 3× Postgres business tx/s', row: 'relay_msg_s', unit: '×', comparison: '>=', limit: 3,
    value: (get) => ratio(get('relay_msg_s', 'txmq'), get('pg_business_tx_s', 'txmq')) },
  { id: 'commit-handler-p99', text: 'p99 ≤ 25 ms', row: 'commit_handler_p99_ms', unit: 'ms', comparison: '<=', limit: 25,
    value: (get) => get('commit_handler_p99_ms', 'txmq') },
  { id: 'sql-vs-tag-filter', text: 'SQL92 filter within 20% of a tag filter', row: 'filter_sql_msg_s', unit: '×', comparison: '>=', limit: 0.8,
    value: (get) => ratio(get('filter_sql_msg_s', 'txmq'), get('filter_tag_msg_s', 'txmq')) },
];

/**
 * Checks every target of the issue that a benchmark can check. When the RSS was measured with
 * fewer than 1,000,000 messages stored (figure `backlog_stored`), its check says so.
 */
export function checkTargets(get: Lookup): TargetCheck[] {
  const backlog = get('backlog_stored', 'txmq');
  return SPECS.map((spec) => {
    const value = spec.value(get);
    const met = value === undefined || Number.isNaN(value) ? undefined : compare(value, spec.comparison, spec.limit);
    const { value: _, ...rest } = spec;
    const note = spec.id === 'backlog-rss' && backlog !== undefined && backlog < 1_000_000 ? `measured with ${backlog.toLocaleString('en-US')} messages, not 1,000,000` : undefined;
    return { ...rest, value, met, ...(note !== undefined && { note }) };
  });
}

function compare(value: number, comparison: TargetCheck['comparison'], limit: number): boolean {
  if (comparison === '>=') return value >= limit;
  if (comparison === '<=') return value <= limit;
  return value < limit;
}
