import type { Logger } from 'pino';
import type { ResolvedConfig } from '../config.js';
import type { Store } from '../store/store.js';
import { Clients } from './clients.js';
import { DelayScheduler } from './delay-scheduler.js';
import { Deliveries } from './deliveries.js';
import { validateMessage, type IncomingMessage } from './message-rules.js';
import { Registry } from './registry.js';
import { TopicLogs } from './topic-log.js';
import { Transactions } from './transactions.js';

/** What SendMessage answers for one accepted message. */
export interface SendOutcome {
  readonly messageId: string;
  readonly transactionId: string;
  readonly offset: number;
  readonly recallHandle?: string;
}

const RENEW_EVERY_MS = 5_000;
const WAKE_EVERY_MS = 200;
const RETENTION_EVERY_MS = 60_000;

/**
 * The broker's domain, independent of the wire: topics, sends, deliveries, delay and
 * transactions over one {@link Store}. The gRPC layer maps requests onto it.
 */
export class BrokerCore {
  readonly registry: Registry;
  readonly logs: TopicLogs;
  readonly deliveries: Deliveries;
  readonly scheduler: DelayScheduler;
  readonly transactions: Transactions;
  readonly clients = new Clients();
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(
    readonly store: Store,
    readonly config: ResolvedConfig,
    readonly log: Logger,
  ) {
    this.registry = new Registry(config);
    for (const topic of store.topics()) this.registry.adoptStoredTopic(topic);
    this.logs = new TopicLogs(store);
    this.deliveries = new Deliveries(store, this.logs, this.registry, log);
    this.scheduler = new DelayScheduler(store, this.logs, log);
    this.transactions = new Transactions(store, this.logs, this.clients, config.transaction, log);
  }

  /** Starts the background schedules: lease renewal, long-poll wake-ups, transaction checks, retention. */
  start(): void {
    const every = (ms: number, task: () => unknown) => {
      const timer = setInterval(() => {
        Promise.resolve()
          .then(task)
          .catch((error: unknown) => this.log.error({ err: error }, 'background task failed'));
      }, ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(RENEW_EVERY_MS, async () => {
      this.deliveries.renewLeases((id) => this.clients.isAlive(id));
      await this.deliveries.sweepExhausted();
      for (const gone of this.clients.expire()) this.#forget(gone.id, 'expired');
    });
    every(WAKE_EVERY_MS, () => this.deliveries.wake());
    every(Math.min(1000, this.config.transaction.checkIntervalMs), () => this.transactions.runChecks());
    every(RETENTION_EVERY_MS, () => this.applyRetention());
  }

  /** Validates and stores one message from a producer. */
  async send(incoming: IncomingMessage, clientId: string, now = Date.now()): Promise<SendOutcome> {
    const topic = this.registry.topic(incoming.topic);
    const draft = validateMessage(incoming, topic, this.config.maxBodyBytes, now);
    if (draft.kind === 'TRANSACTION') {
      const transactionId = await this.transactions.begin(draft, clientId, incoming.recoveryMs, now);
      return { messageId: draft.messageId, transactionId, offset: 0 };
    }
    if (draft.deliverAt !== undefined && draft.deliverAt > now) {
      const recallHandle = await this.scheduler.schedule(draft, draft.deliverAt);
      return { messageId: draft.messageId, transactionId: draft.messageId, offset: 0, recallHandle };
    }
    const [record] = await this.logs.append([draft], [], now);
    return { messageId: draft.messageId, transactionId: draft.messageId, offset: record!.offset };
  }

  /** A client said goodbye (NotifyClientTermination). */
  terminateClient(clientId: string): void {
    this.#forget(clientId, 'terminated');
  }

  /** Removes messages older than the retention period. */
  async applyRetention(now = Date.now()): Promise<void> {
    if (this.config.retentionMs <= 0) return;
    const trim = this.store.topics().map((topic) => ({ topic, before: this.store.offsetAtTime(topic, now - this.config.retentionMs) }));
    const effective = trim.filter(({ topic, before }) => before > this.store.topicBounds(topic).first);
    if (effective.length === 0) return;
    await this.store.commit({ trim: effective });
    for (const { topic } of effective) this.deliveries.afterTrim(topic, this.store.topicBounds(topic).first);
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    this.scheduler.close();
    await this.store.close();
  }

  #forget(clientId: string, why: string): void {
    const session = this.clients.remove(clientId);
    this.deliveries.releaseHeldBy(clientId);
    if (session?.group !== undefined && this.registry.group(session.group).broadcast) {
      this.deliveries.dropConsumer(`${session.group}@${clientId}`).catch((error: unknown) => this.log.error({ err: error }, 'dropping broadcast consumer failed'));
    }
    this.log.debug({ clientId, why }, 'client removed');
  }
}
