import type { Logger } from 'pino';
import { InvalidRequestError, NotFoundError } from '../errors.js';
import type { EntityWrite, HalfEntity, SettledEntity, Store } from '../store/store.js';
import type { Clients } from './clients.js';
import type { TopicLogs } from './topic-log.js';
import type { MessageDraft } from '../store/records.js';
import type { TransactionSettings } from './types.js';
import { BROKER_TRANSACTION_ID_PROPERTY } from '../system-properties.js';
import { sentAt } from './trace/derived-events.js';
import type { MessageEvents } from './trace/message-events.js';
import type { MessageEvent } from './views/index.js';

/** Options of {@link Transactions}. */
export interface TransactionsOptions {
  /** The clock checks and settlements are measured on (default `Date.now`). */
  readonly now?: () => number;
  /** Where sends, checks, commits and rollbacks of half messages are reported. */
  readonly events?: MessageEvents;
}

/** How long a settled transaction is remembered, to answer a repeated EndTransaction consistently. */
const SETTLED_RETENTION_MS = 72 * 3_600_000;

/** How a transaction is settled: its half message is delivered (COMMIT) or dropped (ROLLBACK). */
export type Resolution = 'COMMIT' | 'ROLLBACK';

/**
 * Transactional half messages: stored durably and invisible until committed or rolled back. A half
 * message nobody settles is checked back with a producer of its topic on a fixed schedule; after
 * `maxChecks` unanswered checks it is parked (kept, listed, and resolvable by an operator).
 */
export class Transactions {
  readonly #halves = new Map<string, HalfEntity>();
  readonly #settled = new Map<string, SettledEntity>();
  /** Transactions whose settlement is being written; a concurrent EndTransaction waits for it. */
  readonly #settling = new Map<string, Promise<void>>();
  /** Transaction ids of half messages being written: taken, but not visible (nor checkable) yet. */
  readonly #reserved = new Set<string>();
  readonly #rotation = new Map<string, number>();
  readonly #now: () => number;
  readonly #events: MessageEvents | undefined;

  /**
   * Loads the stored half messages with their check counts and schedules. A check that fell due
   * while the broker was down is held back for one immunity period (as if the half message were
   * new) so producers can reconnect first: the Node client re-opens its Telemetry stream about 1 s
   * after losing it, and a check sent before that would be counted with nobody to answer it.
   * (RocketMQ's check service likewise first runs one interval after start.)
   */
  constructor(
    private readonly store: Store,
    private readonly logs: TopicLogs,
    private readonly clients: Clients,
    private readonly settings: TransactionSettings,
    private readonly log: Logger,
    now = Date.now(),
    options: TransactionsOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
    this.#events = options.events;
    const resumeAt = now + settings.checkImmunityMs;
    for (const half of store.loadEntities('half')) {
      this.#halves.set(half.transactionId, half.nextCheckAt < resumeAt ? { ...half, nextCheckAt: resumeAt } : half);
    }
    for (const settled of store.loadEntities('settled')) this.#settled.set(settled.transactionId, settled);
  }

  /** Stores a half message; returns its transaction id. */
  async begin(draft: MessageDraft, producerClientId: string, recoveryMs?: number, now = this.#now()): Promise<string> {
    let transactionId = draft.messageId;
    for (let n = 1; this.#taken(transactionId); n++) transactionId = `${draft.messageId}-${n}`;
    const half: HalfEntity = {
      transactionId,
      message: draft,
      producerClientId,
      createdAt: now,
      checks: 0,
      nextCheckAt: now + (recoveryMs ?? this.settings.checkImmunityMs),
      parked: false,
    };
    // Only a durable half message is checked back or listed: the check schedule must never write
    // back (resurrect) a half message whose own write failed and was reported as a failed send.
    this.#reserved.add(transactionId);
    try {
      await this.store.commit({ entities: [{ kind: 'half', key: transactionId, value: half }] });
      this.#halves.set(transactionId, half);
      if (this.#wants(half)) this.#report(half, { type: 'sent', at: sentAt(draft.bornAt, now), clientId: producerClientId });
      // The sender publishes (transactionally) to this topic even if the Settings it sent so far do
      // not list it yet (the Node client syncs new topics only every 5 min): let it answer checks of
      // other half messages of the topic too.
      this.clients.get(producerClientId)?.publishing.add(draft.topic);
    } finally {
      this.#reserved.delete(transactionId);
    }
    return transactionId;
  }

  /**
   * Settles a transaction (a parked one too). Repeating the same resolution is answered OK and
   * changes nothing; the opposite resolution of a settled transaction is INVALID_TRANSACTION_ID
   * ({@link InvalidRequestError}), and so is an unknown id ({@link NotFoundError}).
   *
   * @returns true when this call settled it, false when it had already been settled the same way.
   */
  async end(transactionId: string, resolution: Resolution, expect: { messageId?: string; topic?: string } = {}): Promise<boolean> {
    for (let inFlight = this.#settling.get(transactionId); inFlight; inFlight = this.#settling.get(transactionId)) {
      await inFlight.catch(() => undefined);
    }
    const half = this.#halves.get(transactionId);
    if (!half) {
      const settled = this.#settled.get(transactionId);
      if (!settled) throw new NotFoundError('INVALID_TRANSACTION_ID', `unknown transaction ${transactionId}: no half message has this id, and none with it was settled in the last 72 h`);
      if (settled.resolution !== resolution) {
        throw new InvalidRequestError('INVALID_TRANSACTION_ID', `transaction ${transactionId} was already ${pastTense(settled.resolution)}; it cannot be ${pastTense(resolution)}`);
      }
      return false;
    }
    if (expect.messageId && expect.messageId !== half.message.messageId) {
      throw new InvalidRequestError('INVALID_TRANSACTION_ID', `transaction ${transactionId} belongs to message ${half.message.messageId}, not ${expect.messageId}`);
    }
    if (expect.topic && expect.topic !== half.message.topic) {
      throw new InvalidRequestError('INVALID_TRANSACTION_ID', `transaction ${transactionId} belongs to topic ${half.message.topic}, not ${expect.topic}`);
    }
    const settling = this.#settle(half, resolution);
    this.#settling.set(transactionId, settling);
    try {
      await settling;
    } finally {
      this.#settling.delete(transactionId);
    }
    return true;
  }

  /** Half messages not settled yet, parked ones included, oldest first. */
  list(): HalfEntity[] {
    return [...this.#halves.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  /** One unsettled half message. */
  get(transactionId: string): HalfEntity | undefined {
    return this.#halves.get(transactionId);
  }

  /** How a transaction was settled (remembered for 72 h), if it was. */
  settlement(transactionId: string): Resolution | undefined {
    return this.#settled.get(transactionId)?.resolution;
  }

  /**
   * Runs the check-back schedule: call periodically. Each due half message gets its check count
   * incremented durably first, and only then is the check sent (as RocketMQ does): a check that
   * reached a producer is never lost from the count by a crash, and a check with no producer to
   * send it to counts too. A half message due after `maxChecks` checks is parked instead.
   */
  async runChecks(now = this.#now()): Promise<void> {
    const writes: EntityWrite[] = [];
    const due: HalfEntity[] = [];
    const parked: HalfEntity[] = [];
    for (const half of this.#halves.values()) {
      if (half.parked || half.nextCheckAt > now || this.#settling.has(half.transactionId)) continue;
      let next: HalfEntity;
      if (half.checks >= this.settings.maxChecks) {
        next = { ...half, parked: true };
        parked.push(next);
        this.log.warn({ transactionId: half.transactionId, topic: half.message.topic, checks: half.checks }, 'transaction parked after max checks; resolve it with "txmq-broker tx commit|rollback"');
      } else {
        next = { ...half, checks: half.checks + 1, nextCheckAt: now + this.settings.checkIntervalMs };
        due.push(next);
      }
      this.#halves.set(half.transactionId, next);
      writes.push({ kind: 'half', key: half.transactionId, value: next });
    }
    for (const settled of this.#settled.values()) {
      if (now - settled.settledAt > SETTLED_RETENTION_MS) {
        this.#settled.delete(settled.transactionId);
        writes.push({ kind: 'settled', key: settled.transactionId });
      }
    }
    if (writes.length > 0) await this.store.commit({ entities: writes });
    for (const half of parked) if (this.#wants(half)) this.#report(half, { type: 'checked', at: now, attempt: half.checks, note: 'parked' });
    for (const half of due) {
      // Settled (or being settled) while the count was written: nothing left to ask about.
      if (this.#halves.get(half.transactionId) !== half || this.#settling.has(half.transactionId)) continue;
      const askedProducer = this.#askProducer(half);
      if (this.#wants(half)) this.#report(half, { type: 'checked', at: now, attempt: half.checks, ...(askedProducer ? { clientId: askedProducer } : { note: 'no producer of the topic connected' }) });
      this.log.info(
        { transactionId: half.transactionId, topic: half.message.topic, check: half.checks, maxChecks: this.settings.maxChecks, producer: askedProducer ?? null },
        askedProducer ? 'transaction check-back sent' : 'transaction check-back counted, not sent: no producer of the topic is connected',
      );
    }
  }

  #taken(transactionId: string): boolean {
    return this.#halves.has(transactionId) || this.#settled.has(transactionId) || this.#reserved.has(transactionId);
  }

  async #settle(half: HalfEntity, resolution: Resolution): Promise<void> {
    const now = this.#now();
    const settled: SettledEntity = { transactionId: half.transactionId, resolution, settledAt: now };
    const entities: EntityWrite[] = [
      { kind: 'half', key: half.transactionId },
      { kind: 'settled', key: half.transactionId, value: settled },
    ];
    if (resolution === 'COMMIT') {
      const properties = { ...half.message.properties, [BROKER_TRANSACTION_ID_PROPERTY]: half.transactionId };
      await this.logs.append([{ ...half.message, properties }], entities, { now, onDurable: () => this.#wants(half) && this.#report(half, { type: 'committed', at: now }) });
    } else {
      await this.store.commit({ entities });
      if (this.#wants(half)) this.#report(half, { type: 'rolled-back', at: now });
    }
    this.#halves.delete(half.transactionId);
    this.#settled.set(half.transactionId, settled);
    this.log.info({ transactionId: half.transactionId, topic: half.message.topic, resolution }, 'transaction settled');
  }

  /** Whether an event of `half` is wanted: ask before building one. */
  #wants(half: HalfEntity): boolean {
    return this.#events?.wants(true, half.message.topic) ?? false;
  }

  /** Reports an event of `half` (after {@link #wants} said it is wanted). */
  #report(half: HalfEntity, event: Omit<MessageEvent, 'messageId' | 'topic'>): void {
    this.#events!.emit({ ...event, messageId: half.message.messageId, topic: half.message.topic }, true);
  }

  /** Sends the check to the producer that sent the half message, else to another producer of the topic. */
  #askProducer(half: HalfEntity): string | undefined {
    const sender = this.clients.get(half.producerClientId);
    if (sender?.telemetry?.recoverOrphanedTransaction(half)) return sender.id;
    const others = this.clients.producersOf(half.message.topic).filter((c) => c.id !== half.producerClientId);
    const start = this.#rotation.get(half.message.topic) ?? 0;
    for (let i = 0; i < others.length; i++) {
      const candidate = others[(start + i) % others.length]!;
      if (candidate.telemetry?.recoverOrphanedTransaction(half)) {
        this.#rotation.set(half.message.topic, start + i + 1);
        return candidate.id;
      }
    }
    return undefined;
  }
}

function pastTense(resolution: Resolution): string {
  return resolution === 'COMMIT' ? 'committed' : 'rolled back';
}
