import type { Logger } from 'pino';
import { InvalidRequestError, NotFoundError } from '../errors.js';
import { Code } from '../protocol/codes.js';
import type { EntityWrite, HalfEntity, SettledEntity, Store } from '../store/store.js';
import type { Clients } from './clients.js';
import type { TopicLogs } from './topic-log.js';
import type { MessageDraft, TransactionSettings } from './types.js';

/** How long a settled transaction is remembered, to answer a repeated EndTransaction consistently. */
const SETTLED_RETENTION_MS = 72 * 3_600_000;
/** The user property a committed transactional message carries (as RocketMQ). */
export const TRANSACTION_ID_PROPERTY = '__transactionId__';

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
  readonly #rotation = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly logs: TopicLogs,
    private readonly clients: Clients,
    private readonly settings: TransactionSettings,
    private readonly log: Logger,
  ) {
    for (const half of store.loadEntities('half')) this.#halves.set(half.transactionId, half);
    for (const settled of store.loadEntities('settled')) this.#settled.set(settled.transactionId, settled);
  }

  /** Stores a half message; returns its transaction id. */
  async begin(draft: MessageDraft, producerClientId: string, recoveryMs?: number, now = Date.now()): Promise<string> {
    let transactionId = draft.messageId;
    for (let n = 1; this.#halves.has(transactionId) || this.#settled.has(transactionId); n++) {
      transactionId = `${draft.messageId}-${n}`;
    }
    const half: HalfEntity = {
      transactionId,
      message: draft,
      producerClientId,
      createdAt: now,
      checks: 0,
      nextCheckAt: now + (recoveryMs ?? this.settings.checkImmunityMs),
      parked: false,
    };
    this.#halves.set(transactionId, half);
    try {
      await this.store.commit({ entities: [{ kind: 'half', key: transactionId, value: half }] });
    } catch (error) {
      this.#halves.delete(transactionId);
      throw error;
    }
    return transactionId;
  }

  /**
   * Settles a transaction. Repeating the same resolution is answered OK and changes nothing; the
   * opposite resolution of a settled transaction, or an unknown id, is INVALID_TRANSACTION_ID.
   */
  async end(transactionId: string, resolution: Resolution, expect: { messageId?: string; topic?: string } = {}): Promise<void> {
    for (let inFlight = this.#settling.get(transactionId); inFlight; inFlight = this.#settling.get(transactionId)) {
      await inFlight.catch(() => undefined);
    }
    const half = this.#halves.get(transactionId);
    if (!half) {
      const settled = this.#settled.get(transactionId);
      if (!settled) throw new NotFoundError(Code.INVALID_TRANSACTION_ID, `unknown transaction ${transactionId}`);
      if (settled.resolution !== resolution) {
        throw new InvalidRequestError(Code.INVALID_TRANSACTION_ID, `transaction ${transactionId} was already ${pastTense(settled.resolution)}; it cannot be ${pastTense(resolution)}`);
      }
      return;
    }
    if (expect.messageId && expect.messageId !== half.message.messageId) {
      throw new InvalidRequestError(Code.INVALID_TRANSACTION_ID, `transaction ${transactionId} belongs to message ${half.message.messageId}, not ${expect.messageId}`);
    }
    if (expect.topic && expect.topic !== half.message.topic) {
      throw new InvalidRequestError(Code.INVALID_TRANSACTION_ID, `transaction ${transactionId} belongs to topic ${half.message.topic}, not ${expect.topic}`);
    }
    const settling = this.#settle(half, resolution);
    this.#settling.set(transactionId, settling);
    try {
      await settling;
    } finally {
      this.#settling.delete(transactionId);
    }
  }

  /** Half messages not settled yet, parked ones included, oldest first. */
  list(): HalfEntity[] {
    return [...this.#halves.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Runs the check-back schedule: call periodically. */
  async runChecks(now = Date.now()): Promise<void> {
    const writes: EntityWrite[] = [];
    for (const half of this.#halves.values()) {
      if (half.parked || half.nextCheckAt > now || this.#settling.has(half.transactionId)) continue;
      let next: HalfEntity;
      if (half.checks >= this.settings.maxChecks) {
        next = { ...half, parked: true };
        this.log.warn({ transactionId: half.transactionId, topic: half.message.topic, checks: half.checks }, 'transaction parked after max checks; resolve it with "txmq-broker tx commit|rollback"');
      } else {
        const askedProducer = this.#askProducer(half);
        next = { ...half, checks: half.checks + 1, nextCheckAt: now + this.settings.checkIntervalMs };
        this.log.info({ transactionId: half.transactionId, topic: half.message.topic, check: next.checks, producer: askedProducer ?? null }, askedProducer ? 'transaction check-back sent' : 'transaction check-back skipped: no producer of the topic is connected');
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
  }

  async #settle(half: HalfEntity, resolution: Resolution): Promise<void> {
    const settled: SettledEntity = { transactionId: half.transactionId, resolution, settledAt: Date.now() };
    const entities: EntityWrite[] = [
      { kind: 'half', key: half.transactionId },
      { kind: 'settled', key: half.transactionId, value: settled },
    ];
    if (resolution === 'COMMIT') {
      const properties = { ...half.message.properties, [TRANSACTION_ID_PROPERTY]: half.transactionId };
      await this.logs.append([{ ...half.message, properties }], entities);
    } else {
      await this.store.commit({ entities });
    }
    this.#halves.delete(half.transactionId);
    this.#settled.set(half.transactionId, settled);
    this.log.info({ transactionId: half.transactionId, topic: half.message.topic, resolution }, 'transaction settled');
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
