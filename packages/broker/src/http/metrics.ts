import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AdminBackend } from '../admin/backend.js';
import type { MessageEvent, Page, PageRequest } from '../core/views/index.js';
import { statusName } from '../status-codes.js';

/** Every metric name starts with it. */
export const METRIC_PREFIX = 'txmq_';

/** Buckets of `txmq_rpc_duration_seconds`: sub-millisecond sends up to 20 s long polls. */
const RPC_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30];

/**
 * The process metrics (CPU, memory, event loop lag, GC), prefixed `txmq_`: one registry for the
 * whole process, made on first use. prom-client's collectors for them (an event-loop delay
 * monitor, a GC observer) are never stopped, so a registry per broker would keep every closed
 * broker's registry, its gauges and through them its core, alive.
 */
let sharedProcessRegistry: Registry | undefined;
function processRegistry(): Registry {
  if (!sharedProcessRegistry) {
    sharedProcessRegistry = new Registry();
    collectDefaultMetrics({ register: sharedProcessRegistry, prefix: METRIC_PREFIX });
  }
  return sharedProcessRegistry;
}

/** Largest page the scrape asks for; a listing with more is read page by page. */
const SCRAPE_PAGE_SIZE = 1000;

export interface BrokerMetricsOptions {
  /** Also export Node's process metrics (CPU, memory, event loop lag, GC), prefixed `txmq_`. Default false. */
  readonly processMetrics?: boolean;
}

/**
 * The broker's Prometheus metrics, in a registry of its own (never prom-client's global one):
 * counters fed by the core's message events, gauges read from the backend at each scrape, and the
 * gRPC RPC latency histogram fed by {@link BrokerMetrics.onRpc}. {@link close} unsubscribes.
 */
export class BrokerMetrics {
  readonly registry = new Registry();
  readonly #unsubscribe: () => void;
  readonly #process: Registry | undefined;
  readonly #messagesIn: Children<Counter.Internal>;
  readonly #messagesOut: Children<Counter.Internal>;
  readonly #acks: Children<Counter.Internal>;
  readonly #redeliveries: Children<Counter.Internal>;
  readonly #deadLetters: Children<Counter.Internal>;
  readonly #recalls: Children<Counter.Internal>;
  readonly #checks: Counter;
  readonly #parkings: Counter;
  readonly #committed: Counter;
  readonly #rolledBack: Counter;
  readonly #rpcDuration: Children<Histogram.Internal<'method' | 'code'>>;

  constructor(backend: AdminBackend, options: BrokerMetricsOptions = {}) {
    const registers = [this.registry];
    const counter = (name: string, help: string, labelNames: readonly string[]) =>
      labelledCounter(new Counter({ name: METRIC_PREFIX + name, help, labelNames, registers }));
    this.#messagesIn = counter('messages_in_total', 'Messages stored in a topic: sends, delayed messages once due, committed transactions, resends, and dead-letter copies (in %DLQ% topics).', ['topic']);
    this.#messagesOut = counter('messages_out_total', 'Messages handed to a consumer group (every delivery attempt).', ['topic', 'group']);
    this.#acks = counter('acks_total', 'Messages a consumer group acknowledged.', ['topic', 'group']);
    this.#redeliveries = counter('redeliveries_total', 'Messages made visible again for another delivery attempt (invisibility expired or a retry was asked).', ['topic', 'group']);
    this.#deadLetters = counter('dead_letters_total', 'Messages moved to the dead-letter queue %DLQ%<group>.', ['group']);
    this.#recalls = counter('messages_recalled_total', 'Scheduled messages a producer recalled before delivery.', ['topic']);
    const plain = (name: string, help: string) => new Counter({ name: METRIC_PREFIX + name, help, registers });
    this.#checks = plain('transaction_checks_total', 'Transaction check-backs sent to producers (not those counted while no producer of the topic was connected).');
    this.#parkings = plain('transactions_parked_total', 'Half messages parked because their check-backs ran out.');
    this.#committed = plain('transactions_committed_total', 'Half messages committed (by the producer, a check-back answer, or an operator).');
    this.#rolledBack = plain('transactions_rolled_back_total', 'Half messages rolled back (by the producer, a check-back answer, or an operator).');
    const rpcDuration = new Histogram({
      name: `${METRIC_PREFIX}rpc_duration_seconds`,
      help: 'Duration of the RocketMQ gRPC calls the broker served, by method and RocketMQ status (ReceiveMessage includes its long poll).',
      labelNames: ['method', 'code'],
      buckets: RPC_BUCKETS,
      registers,
    });
    this.#rpcDuration = new Children((method, code) => rpcDuration.labels(method, code!));
    scrapeGauges(backend, registers);
    this.#process = options.processMetrics ? processRegistry() : undefined;
    this.#unsubscribe = backend.onMessageEvents(this.#count);
  }

  /** The RPC observer of the gRPC service: one call of `method` answered `code` after `seconds`. */
  readonly onRpc = (method: string, code: number, seconds: number): void => {
    this.#rpcDuration.child(method, statusName(code) ?? String(code)).observe(seconds);
  };

  /** The metrics in Prometheus' text format (the process metrics first, when asked for). */
  async render(): Promise<string> {
    const own = await this.registry.metrics();
    if (!this.#process) return own;
    const process = await this.#process.metrics();
    return `${process}${process.endsWith('\n') ? '' : '\n'}${own}`;
  }

  /** Prometheus' content type of {@link render}. */
  get contentType(): string {
    return this.registry.contentType;
  }

  close(): void {
    this.#unsubscribe();
  }

  readonly #count = (events: readonly MessageEvent[]): void => {
    for (const event of events) {
      const group = event.group ?? '';
      switch (event.type) {
        case 'stored':
          this.#messagesIn.child(event.topic).inc();
          break;
        case 'delivered':
          this.#messagesOut.child(event.topic, group).inc();
          break;
        case 'acked':
          this.#acks.child(event.topic, group).inc();
          break;
        case 'redelivered':
          this.#redeliveries.child(event.topic, group).inc();
          break;
        case 'dead-lettered':
          this.#deadLetters.child(group).inc();
          break;
        case 'recalled':
          this.#recalls.child(event.topic).inc();
          break;
        case 'checked':
          // One event type for three things: a check-back sent (to clientId), one counted with no
          // producer to ask, and the parking after the last one.
          if (event.note === 'parked') this.#parkings.inc();
          else if (event.clientId !== undefined) this.#checks.inc();
          break;
        case 'committed':
          this.#committed.inc();
          break;
        case 'rolled-back':
          this.#rolledBack.inc();
          break;
        case 'sent':
          break;
      }
    }
  };
}

/**
 * A metric's children by label values, kept: counting an event then costs two map lookups
 * instead of building a label object and its key for `inc(labels)` / `observe(labels, v)`.
 */
class Children<Child> {
  readonly #children = new Map<string, Map<string, Child>>();

  constructor(private readonly make: (first: string, second?: string) => Child) {}

  /** The child of (`first`, `second`); `second` only for a metric with two labels. */
  child(first: string, second?: string): Child {
    let byFirst = this.#children.get(first);
    if (!byFirst) this.#children.set(first, (byFirst = new Map()));
    const key = second ?? '';
    let child = byFirst.get(key);
    if (!child) byFirst.set(key, (child = this.make(first, second)));
    return child;
  }
}

/** A counter with one or two labels and its {@link Children}. */
function labelledCounter(counter: Counter): Children<Counter.Internal> {
  return new Children((first, second) => (second === undefined ? counter.labels(first) : counter.labels(first, second)));
}

/**
 * The gauges read at scrape time: each scrape sets them afresh, so what no longer exists
 * disappears. Gauges read from one listing are set together by the collect() of the first one
 * (prom-client collects metrics in registration order), so a scrape lists each thing once.
 */
function scrapeGauges(backend: AdminBackend, registers: Registry[]): void {
  const bySubscription = ['group', 'topic'];
  const inFlight = new Gauge({ name: `${METRIC_PREFIX}group_in_flight`, help: 'Messages handed to the group and not yet acknowledged.', labelNames: bySubscription, registers: [] });
  new Gauge({
    name: `${METRIC_PREFIX}group_lag`,
    help: 'Messages stored and not yet handed to the group.',
    labelNames: bySubscription,
    registers,
    collect() {
      this.reset();
      inFlight.reset();
      for (const group of allItems((page) => backend.listGroups(page))) {
        // A broadcast group has one position per client on a topic: the gauges sum them.
        const byTopic = new Map<string, { lag: number; inFlight: number }>();
        for (const s of group.subscriptions) {
          const sum = byTopic.get(s.topic) ?? { lag: 0, inFlight: 0 };
          byTopic.set(s.topic, { lag: sum.lag + s.lag, inFlight: sum.inFlight + s.inFlight });
        }
        for (const [topic, sum] of byTopic) {
          this.set({ group: group.name, topic }, sum.lag);
          inFlight.set({ group: group.name, topic }, sum.inFlight);
        }
      }
    },
  });
  for (const registry of registers) registry.registerMetric(inFlight);
  const parked = new Gauge({ name: `${METRIC_PREFIX}transactions_parked`, help: 'Half messages parked: their check-backs ran out; an operator must commit or roll them back.', registers: [] });
  new Gauge({
    name: `${METRIC_PREFIX}transactions_pending`,
    help: 'Half messages waiting for their producer to commit or roll back (not parked).',
    registers,
    collect() {
      const halves = backend.unsettledTransactions();
      const parkedCount = halves.filter((half) => half.parked).length;
      this.set(halves.length - parkedCount);
      parked.set(parkedCount);
    },
  });
  for (const registry of registers) registry.registerMetric(parked);
  new Gauge({
    name: `${METRIC_PREFIX}store_bytes`,
    help: 'Bytes the store holds on disk (0 for the in-memory store).',
    registers,
    collect() {
      this.set(backend.storeBytes());
    },
  });
  new Counter({
    name: `${METRIC_PREFIX}trace_events_dropped_total`,
    help: 'Trace events lost because the trace could not be written in time (the broker log says why).',
    registers,
    collect() {
      this.reset();
      this.inc(backend.traceEventsDropped());
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}topic_messages`,
    help: 'Messages a topic retains.',
    labelNames: ['topic'],
    registers,
    collect() {
      this.reset();
      for (const topic of allItems((page) => backend.listTopics(page))) this.set({ topic: topic.name }, topic.nextOffset - topic.firstOffset);
    },
  });
}

/** Every item of a paged listing. */
function allItems<T>(list: (page: PageRequest) => Page<T>): T[] {
  const items: T[] = [];
  let pageToken: string | undefined;
  do {
    const page = list({ pageSize: SCRAPE_PAGE_SIZE, ...(pageToken !== undefined && { pageToken }) });
    items.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return items;
}
