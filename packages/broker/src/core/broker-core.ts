import type { Logger } from 'pino';
import { InvalidRequestError } from '../errors.js';
import { GroupCommit } from '../store/group-commit.js';
import type { MessageDraft, MessageRecord } from '../store/records.js';
import { isPlain, sentAt } from './trace/derived-events.js';
import type { HalfEntity, Store } from '../store/store.js';
import { Clients, type ClientRole, type TelemetryPeer } from './clients.js';
import { consumerOf } from './consumer.js';
import { DelayScheduler } from './delay-scheduler.js';
import { Deliveries, MAX_INVISIBLE_MS, type AckResult, type Delivery } from './deliveries.js';
import { validateMessage, type IncomingMessage } from './validate-incoming.js';
import { Registry } from './registry.js';
import type { BrokerSettings } from './settings.js';
import type { MessageFilter } from './filter/index.js';
import { TopicLogs } from './topic-log.js';
import { Transactions, type Resolution } from './transactions.js';
import type { GroupSettings, TopicSettings } from './types.js';
import type { AdminContext } from './admin/context.js';
import { knownTopic } from './admin/known-topics.js';
import { OperatorAdmin } from './admin/operator-admin.js';
import { storedAdminSettings } from './admin/stored-settings.js';
import { MessageEvents } from './trace/message-events.js';
import { MessageQuery } from './trace/message-query.js';
import { TraceWriter } from './trace/trace-writer.js';
import type { Mutable } from './mutable.js';
import type { DeadLetterView, GroupChange, GroupView, MessageEvent, MessageEventListener, MessageTrace, MessageView, Page, PageRequest, ResendResult, ResetResult, ResetTarget, TopicChange, TopicView } from './views/index.js';

/** What SendMessage answers for one accepted message. */
export interface SendOutcome {
  readonly messageId: string;
  readonly transactionId: string;
  readonly offset: number;
  readonly recallHandle?: string;
}

/** The outcome of one message of a batched send: stored, or refused with the error that says why. */
export type SendResult = { readonly ok: true; readonly outcome: SendOutcome } | { readonly ok: false; readonly error: unknown };

export type { AckResult } from './deliveries.js';

/** What a consumer asks for in one receive. */
export interface ReceiveOptions {
  readonly group: string;
  readonly topic: string;
  readonly clientId: string;
  readonly filter: MessageFilter;
  readonly batchSize: number;
  /** How long the messages stay invisible to the rest of the group. */
  readonly invisibleMs: number;
  /** Keep the messages invisible for as long as the client lives (push consumers). */
  readonly autoRenew: boolean;
  /** How long to wait for a message when none is ready (long polling). */
  readonly waitMs: number;
  readonly attemptId?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** What a client declares about itself in its Settings. */
export interface ClientSettings {
  readonly role: ClientRole;
  /** The client's Telemetry stream, on which transaction checks reach it. */
  readonly telemetry?: TelemetryPeer;
  /** Topics a producer publishes to: it may be asked to check their transactions. */
  readonly publishing?: readonly string[];
  /** A consumer's group and the topics it subscribes to. */
  readonly subscription?: { readonly group: string; readonly topics: readonly string[] };
}

/** One subscription's position, for operators and tests. */
export interface SubscriptionStats {
  readonly consumer: string;
  readonly topic: string;
  readonly nextOffset: number;
  readonly unacked: number;
}

/** Options of {@link BrokerCore}. */
export interface BrokerCoreOptions {
  /** The clock deliveries, sends and retention are measured on (default `Date.now`). */
  readonly now?: () => number;
}

function settle(outcome: Promise<SendOutcome>): Promise<SendResult> {
  return outcome.then(
    (value) => ({ ok: true, outcome: value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

const RENEW_EVERY_MS = 5_000;
/** How often clients whose stream ended are checked for having come back (cheap: no lease scan). */
const LOST_CLIENTS_EVERY_MS = 1_000;
const WAKE_EVERY_MS = 200;
const RETENTION_EVERY_MS = 60_000;
/** Trace retention drops a bounded amount per pass, so it runs often. */
const TRACE_RETENTION_EVERY_MS = 1_000;

/**
 * The broker's domain, independent of the wire: topics, sends, deliveries, delay and
 * transactions over one {@link Store}. The gRPC layer maps requests onto its methods.
 */
export class BrokerCore {
  readonly #store: Store;
  readonly #settings: BrokerSettings;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #registry: Registry;
  readonly #logs: TopicLogs;
  readonly #deliveries: Deliveries;
  readonly #scheduler: DelayScheduler;
  readonly #transactions: Transactions;
  readonly #clients = new Clients();
  readonly #admin: OperatorAdmin;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #events: MessageEvents;
  readonly #traceWriter: TraceWriter | undefined;
  readonly #query: MessageQuery;

  constructor(store: Store, settings: BrokerSettings, log: Logger, options: BrokerCoreOptions = {}) {
    store = new GroupCommit(store);
    this.#store = store;
    this.#settings = settings;
    this.#log = log;
    this.#now = options.now ?? Date.now;
    this.#registry = new Registry(settings, storedAdminSettings(store));
    for (const topic of store.topics()) this.#registry.adoptStoredTopic(topic);
    this.#events = new MessageEvents(log);
    this.#traceWriter = settings.trace.enabled ? new TraceWriter(store, settings.trace, log, { now: this.#now }) : undefined;
    this.#events.record(this.#traceWriter);
    const events = this.#events;
    this.#logs = new TopicLogs(store, { now: this.#now, events });
    this.#deliveries = new Deliveries(store, this.#logs, this.#registry, log, { now: this.#now, events });
    this.#scheduler = new DelayScheduler(store, this.#logs, log, { now: this.#now, events });
    this.#transactions = new Transactions(store, this.#logs, this.#clients, settings.transaction, log, this.#now(), { now: this.#now, events });
    const adminContext: AdminContext = { store, logs: this.#logs, registry: this.#registry, deliveries: this.#deliveries, clients: this.#clients, log, now: this.#now };
    this.#query = new MessageQuery(store, (topic) => void knownTopic(adminContext, topic), () => this.#traceWriter);
    this.#admin = new OperatorAdmin(adminContext);
  }

  /** Starts the background schedules: lease renewal, long-poll wake-ups, transaction checks, retention. */
  start(): void {
    const every = (ms: number, task: () => unknown) => {
      const timer = setInterval(() => {
        Promise.resolve()
          .then(task)
          .catch((error: unknown) => this.#log.error({ err: error }, 'background task failed'));
      }, ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(RENEW_EVERY_MS, () => this.maintainDeliveries());
    every(LOST_CLIENTS_EVERY_MS, () => this.#releaseLostClients(this.#now()));
    every(WAKE_EVERY_MS, () => this.#deliveries.wake());
    every(Math.min(1000, this.#settings.transaction.checkIntervalMs), () => this.#transactions.runChecks());
    every(RETENTION_EVERY_MS, () => this.applyRetention());
    every(TRACE_RETENTION_EVERY_MS, () => this.applyTraceRetention());
  }

  /** Largest accepted message body, in bytes (producers are told it in their Settings). */
  get maxBodyBytes(): number {
    return this.#settings.maxBodyBytes;
  }

  /** Long-polling time push consumers are told to use. */
  get pushLongPollingMs(): number {
    return this.#settings.pushLongPollingMs;
  }

  /** A topic's settings; creates it when auto-creation is on, else TOPIC_NOT_FOUND. */
  topic(name: string): TopicSettings {
    return this.#registry.topic(name);
  }

  /** A consumer group's settings; creates it when auto-creation is on, else CONSUMER_GROUP_NOT_FOUND. */
  group(name: string): GroupSettings {
    return this.#registry.group(name);
  }

  /** Records that a client was heard from. */
  touchClient(clientId: string): void {
    this.#clients.touch(clientId, this.#now());
  }

  /**
   * Applies the Settings a client sent on its Telemetry stream. A broadcast consumer starts at the
   * end of each topic it subscribes to, and that start point is kept durably.
   *
   * @returns the consumer's group, when the client subscribes.
   */
  configureClient(clientId: string, settings: ClientSettings): GroupSettings | undefined {
    const session = this.#clients.touch(clientId, this.#now());
    session.role = settings.role;
    if (settings.telemetry) session.telemetry = settings.telemetry;
    for (const topic of settings.publishing ?? []) session.publishing.add(topic);
    if (!settings.subscription) return undefined;
    const group = this.#registry.group(settings.subscription.group);
    session.group = group.name;
    for (const topic of settings.subscription.topics) {
      this.#registry.topic(topic);
      session.subscribedTopics.add(topic);
      if (group.broadcast) {
        const sub = this.#deliveries.subscription(consumerOf(group, clientId), topic, true);
        this.#deliveries.persistCursor(sub).catch((error: unknown) => this.#log.error({ err: error }, 'persisting broadcast cursor failed'));
      }
    }
    return group;
  }

  /**
   * A client's Telemetry stream ended; it is kept only if it is still the client's current one.
   * If the client does not come back within the reconnect grace, the messages it holds are released.
   */
  detachTelemetry(clientId: string, peer: TelemetryPeer): void {
    this.#clients.detach(clientId, peer, this.#now());
  }

  /** A client said goodbye (NotifyClientTermination). */
  terminateClient(clientId: string): void {
    this.#forget(clientId, 'terminated');
  }

  /** Validates and stores one message from a producer. */
  async send(incoming: IncomingMessage, clientId: string, now = this.#now()): Promise<SendOutcome> {
    const [result] = await this.sendBatch([incoming], clientId, now);
    if (!result!.ok) throw result!.error;
    return result!.outcome;
  }

  /**
   * Validates and stores the messages of one SendMessage request, answering one result per
   * message in request order. The messages that go straight to their topics (every message that is
   * neither transactional nor delayed) are appended in one atomic durable commit, shared with
   * concurrent requests (group commit); a message that fails validation is refused alone.
   */
  async sendBatch(incomings: readonly IncomingMessage[], clientId: string, now = this.#now()): Promise<SendResult[]> {
    const results: (SendResult | Promise<SendResult>)[] = [];
    const direct: { index: number; draft: MessageDraft }[] = [];
    for (const incoming of incomings) {
      let draft: MessageDraft;
      try {
        draft = validateMessage(incoming, this.#registry.topic(incoming.topic), this.#settings.maxBodyBytes, now, clientId);
      } catch (error) {
        results.push({ ok: false, error });
        continue;
      }
      if (draft.kind === 'TRANSACTION') {
        results.push(settle(this.#transactions.begin(draft, clientId, incoming.recoveryMs, now).then((transactionId) => ({ messageId: draft.messageId, transactionId, offset: 0 }))));
      } else if (draft.deliverAt !== undefined && draft.deliverAt > now) {
        const delayed = draft;
        results.push(settle(this.#scheduler.schedule(delayed, delayed.deliverAt!).then((recallHandle) => ({ messageId: delayed.messageId, transactionId: delayed.messageId, offset: 0, recallHandle }))));
      } else {
        direct.push({ index: results.length, draft });
        results.push({ ok: false, error: undefined });
      }
    }
    if (direct.length > 0) {
      try {
        const records = await this.#logs.append(direct.map((d) => d.draft), [], { now, onDurable: (stored) => this.#reportSent(stored, clientId, now) });
        direct.forEach(({ index, draft }, i) => {
          results[index] = { ok: true, outcome: { messageId: draft.messageId, transactionId: draft.messageId, offset: records[i]!.offset } };
        });
      } catch (error) {
        for (const { index } of direct) results[index] = { ok: false, error };
      }
    }
    return Promise.all(results);
  }

  /** Cancels a delay message that is still waiting; returns its message id. */
  recall(topic: string, recallHandle: string): Promise<string> {
    return this.#scheduler.recall(topic, recallHandle);
  }

  /**
   * Commits or rolls back a transaction (see {@link Transactions.end}).
   *
   * @returns true when this call settled it, false when it had already been settled the same way.
   */
  endTransaction(transactionId: string, resolution: Resolution, expect: { messageId?: string; topic?: string } = {}): Promise<boolean> {
    return this.#transactions.end(transactionId, resolution, expect);
  }

  /** Half messages not settled yet, parked ones included, oldest first. */
  unsettledTransactions(): HalfEntity[] {
    return this.#transactions.list();
  }

  /** One unsettled half message. */
  transaction(transactionId: string): HalfEntity | undefined {
    return this.#transactions.get(transactionId);
  }

  /** Hands out messages of (group, topic), long-polling up to `waitMs` when none is ready. */
  async receive(options: ReceiveOptions): Promise<Delivery[]> {
    const group = this.#registry.group(options.group);
    this.#registry.topic(options.topic);
    const { invisibleMs } = options;
    if (invisibleMs < this.#settings.minInvisibleMs || invisibleMs > MAX_INVISIBLE_MS) {
      throw new InvalidRequestError(
        'ILLEGAL_INVISIBLE_TIME',
        `invisible_duration must be from ${this.#settings.minInvisibleMs} ms to 12 h (got ${invisibleMs}); or set auto_renew`,
      );
    }
    this.#clients.touch(options.clientId, this.#now());
    const consumer = consumerOf(group, options.clientId);
    if (group.broadcast) this.#deliveries.subscription(consumer, options.topic, true);
    return this.#deliveries.receive({ ...options, group, consumer, invisibleMs });
  }

  /** Acknowledges one delivery. */
  async ack(group: string, topic: string, receiptHandle: string): Promise<void> {
    const [result] = await this.ackBatch(group, topic, [receiptHandle]);
    if (!result!.ok) throw result!.error;
  }

  /**
   * Acknowledges the entries of one AckMessage request in one durable commit; one result per
   * handle, in order (a stale or malformed handle fails alone).
   */
  ackBatch(group: string, topic: string, receiptHandles: readonly string[]): Promise<AckResult[]> {
    return this.#deliveries.ackBatch(group, topic, receiptHandles);
  }

  /** Changes how long a delivered message stays invisible; returns its new receipt handle. */
  changeInvisibleDuration(group: string, topic: string, receiptHandle: string, invisibleMs: number): Promise<string> {
    return this.#deliveries.changeInvisibleDuration(group, topic, receiptHandle, invisibleMs);
  }

  /** Moves a delivered message to its group's dead-letter topic. */
  forwardToDeadLetter(group: string, topic: string, receiptHandle: string): Promise<void> {
    return this.#deliveries.forwardToDeadLetter(group, topic, receiptHandle);
  }

  /** Takes back deliveries that never reached the client (its receive call ended first). */
  releaseUndelivered(receiptHandles: readonly string[]): Promise<void> {
    return this.#deliveries.release(receiptHandles);
  }

  /** Every subscription's cursor and unacknowledged count. */
  subscriptions(): SubscriptionStats[] {
    return this.#deliveries.stats();
  }

  /**
   * Releases what clients that lost their stream (and did not come back within the reconnect
   * grace) or went silent hold, renews the auto-renew leases of live clients, moves messages out
   * of delivery attempts to the dead-letter topic (also when their group stopped receiving), and
   * forgets expired clients. Runs every 5 s once started (lost clients are checked every second).
   */
  async maintainDeliveries(now = this.#now()): Promise<void> {
    this.#releaseLostClients(now);
    this.#deliveries.renewLeases((id) => this.#clients.isAlive(id, now), now);
    await this.#deliveries.sweepExhausted(now);
    for (const gone of this.#clients.expire(now)) this.#forget(gone.id, 'expired');
  }

  /**
   * Delivers the delay messages whose time has come (on the core's clock) to their topics. A timer
   * does this when the soonest is due; tests call it after moving their clock.
   */
  deliverDueDelays(): Promise<void> {
    return this.#scheduler.deliverDue();
  }

  /** Removes messages older than the retention period; cursors and leases below them move up. */
  async applyRetention(now = this.#now()): Promise<void> {
    if (this.#settings.retentionMs <= 0) return;
    const store = this.#store;
    const trim = store.topics().map((topic) => ({ topic, before: store.offsetAtTime(topic, now - this.#settings.retentionMs) }));
    const effective = trim.filter(({ topic, before }) => before > store.topicBounds(topic).first);
    if (effective.length === 0) return;
    await store.commit({ trim: effective });
    for (const { topic } of effective) await this.#deliveries.afterTrim(topic, store.topicBounds(topic).first);
    await this.#admin.deadLetters.forgetTrimmed();
  }

  // Operator operations (see core/admin/): an operator's topic and group settings are durable and
  // win over the config file's for the same name until an operator changes them again.

  /** Known topics by name, dead-letter topics included. */
  listTopics(page?: PageRequest): Page<TopicView> {
    return this.#admin.topics.list(page);
  }

  /** @throws NotFoundError TOPIC_NOT_FOUND */
  describeTopic(name: string): TopicView {
    return this.#admin.topics.describe(name);
  }

  /** Creates a topic durably (defaults: 1 queue, NORMAL); refuses a known one. */
  createTopic(name: string, change: TopicChange): Promise<TopicView> {
    return this.#admin.topics.create(name, change);
  }

  /** Changes a known topic's settings durably. */
  updateTopic(name: string, change: TopicChange): Promise<TopicView> {
    return this.#admin.topics.update(name, change);
  }

  /** Known groups by name, with lag, in-flight, online consumers and dead letters (see {@link GroupAdmin}). */
  listGroups(page?: PageRequest): Page<GroupView> {
    return this.#admin.groups.list(page);
  }

  /** @throws NotFoundError CONSUMER_GROUP_NOT_FOUND */
  describeGroup(name: string): GroupView {
    return this.#admin.groups.describe(name);
  }

  /** Creates a group durably; refuses a known one. */
  createGroup(name: string, change: GroupChange): Promise<GroupView> {
    return this.#admin.groups.create(name, change);
  }

  /** Changes a known group's settings durably; fifo and broadcast only while no consumer is online (see {@link GroupAdmin}). */
  updateGroup(name: string, change: GroupChange): Promise<GroupView> {
    return this.#admin.groups.update(name, change);
  }

  /** The messages retained in `%DLQ%<group>`, oldest first, each with when it was resent. */
  listDeadLetters(group: string, page?: PageRequest): Page<DeadLetterView> {
    return this.#admin.deadLetters.list(group, page);
  }

  /** Sends a dead letter back to its origin topic with the same message id, once (see {@link DeadLetters}). */
  resendDeadLetter(group: string, messageId: string): Promise<ResendResult> {
    return this.#admin.deadLetters.resend(group, messageId);
  }

  /** Moves a group's positions to a time or the end, dropping what it held in flight (see core/admin/reset.ts). */
  resetGroup(group: string, to: ResetTarget, topic?: string): Promise<ResetResult> {
    return this.#admin.reset(group, to, topic);
  }

  /**
   * Runs the transaction check-back schedule (on the core's clock): a timer does this once started;
   * tests call it after moving their clock.
   */
  checkTransactions(): Promise<void> {
    return this.#transactions.runChecks();
  }

  /** Drops a bounded amount of the trace events older than the trace retention (runs every second once started). */
  async applyTraceRetention(now = this.#now()): Promise<void> {
    await this.#traceWriter?.trim(now);
  }

  /** Every retained copy of the message (its topic's, and a `%DLQ%` copy or a resend's), oldest first. */
  findMessagesById(messageId: string): MessageView[] {
    return this.#query.byId(messageId);
  }

  /** Retained messages of `topic` carrying `key`, oldest first; TOPIC_NOT_FOUND for an unknown topic. */
  findMessagesByKey(topic: string, key: string, page?: PageRequest): Page<MessageView> {
    return this.#query.byKey(topic, key, page);
  }

  /** Retained messages of `topic` stored in `[fromMs, toMs)`, oldest first; TOPIC_NOT_FOUND for an unknown topic. */
  findMessagesByTime(topic: string, fromMs: number, toMs: number, page?: PageRequest): Page<MessageView> {
    return this.#query.byTime(topic, fromMs, toMs, page);
  }

  /** The message's life in time order; undefined when nothing of it is retained. */
  traceMessage(messageId: string): MessageTrace | undefined {
    return this.#query.trace(messageId);
  }

  /** Subscribes to message events (batched, on a later turn of the event loop); returns the unsubscribe function. */
  onMessageEvents(listener: MessageEventListener): () => void {
    return this.#events.subscribe(listener);
  }

  /**
   * Trace events dropped since the start (the trace is best effort): they could not be written
   * while the store refused writes and the bounded buffer was full, or came after close. 0 with
   * tracing off.
   */
  traceEventsDropped(): number {
    return this.#traceWriter?.dropped() ?? 0;
  }

  /** Bytes the store holds on disk (0 for the in-memory store). */
  storeBytes(): number {
    return this.#store.storeBytes();
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    this.#scheduler.close();
    await this.#traceWriter?.close();
    await this.#store.close();
  }

  /** Reports the producer's send of messages that went straight to their topics. */
  #reportSent(records: readonly MessageRecord[], clientId: string, now: number): void {
    for (const record of records) {
      const durable = !isPlain(record.kind, record.deadLetter);
      if (!this.#events.wants(durable, record.topic)) continue;
      const event: Mutable<MessageEvent> = { type: 'sent', messageId: record.messageId, topic: record.topic, at: sentAt(record.bornAt, now) };
      if (clientId !== '') event.clientId = clientId;
      this.#events.emit(event, durable);
    }
  }

  #releaseLostClients(now: number): void {
    for (const lost of this.#clients.takeLost(this.#settings.reconnectGraceMs, now)) {
      const released = this.#deliveries.releaseHeldBy(lost.id, now);
      if (released > 0) this.#log.info({ clientId: lost.id, released }, 'client lost its connection and did not come back: its messages are delivered again');
    }
  }

  #forget(clientId: string, why: string): void {
    const session = this.#clients.remove(clientId);
    this.#deliveries.releaseHeldBy(clientId);
    if (session?.group !== undefined) {
      const group = this.#registry.group(session.group);
      if (group.broadcast) {
        this.#deliveries.dropConsumer(consumerOf(group, clientId)).catch((error: unknown) => this.#log.error({ err: error }, 'dropping broadcast consumer failed'));
      }
    }
    this.#log.debug({ clientId, why }, 'client removed');
  }
}
