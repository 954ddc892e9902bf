import { randomUUID } from 'node:crypto';
import { createProducer, type HalfMessage, type OutgoingMessage } from '@txmq/broker';
import { sql, type Kysely, type Transaction } from 'kysely';
import { InvalidMessageError, InvalidOptionsError, OutboxStateError } from '../errors.js';
import { MESSAGE_ID_PROPERTY, TRANSACTION_ID_PROPERTY, type OutboxMessage } from '../message/message.js';
import { encodeMessage } from '../message/validate-message.js';
import { brokerMessage } from '../publisher/to-broker-message.js';
import { migrate, type MigrateResult } from '../schema/migrate.js';
import { resolveSchema } from '../schema/schema-name.js';
import { answerCheck, recordCommit, type CheckAnswer } from './transaction-log.js';

/** The transport the sender needs: half messages plus a check-back hook. */
export interface HalfMessageProducer {
  sendHalf(message: OutgoingMessage): Promise<HalfMessage>;
  close(): Promise<void>;
}

/** Options of {@link createTransactionalSender}. */
export interface TransactionalSenderOptions {
  readonly db: Kysely<any>;
  /** Schema holding the transaction-log table; default `txmq`. */
  readonly schema?: string;
  /** `host:port` of a txmq broker or RocketMQ 5 proxy. */
  readonly endpoints: string;
  /** Topics this sender sends to, announced to the broker up front so check-backs reach it. */
  readonly topics?: readonly string[];
  /** Per-request timeout of the producer, in ms. */
  readonly requestTimeoutMs?: number;
  /** Called with errors the sender recovers from (a failed EndTransaction, a failed check-back). */
  readonly onError?: (error: unknown) => void;
}

/** Result of {@link TransactionalSender.send}. */
export interface TransactionalSendResult<T> {
  /** The message id consumers see as `txmq-message-id` (the inbox dedups on it). */
  readonly messageId: string;
  /** The broker's transaction id of the half message. */
  readonly transactionId: string;
  /** What `work` returned. */
  readonly result: T;
  /**
   * `committed` when EndTransaction(COMMIT) reached the broker; `check-back` when it did not —
   * the local transaction committed, and the broker's check-back will be answered COMMIT.
   */
  readonly settledBy: 'committed' | 'check-back';
}

/** Sends RocketMQ-style transactional (half) messages tied to a local transaction. */
export interface TransactionalSender {
  /** Applies pending schema migrations (the same ones as `outbox.migrate()`). */
  migrate(): Promise<MigrateResult>;
  /**
   * Sends `message` as a half message, runs `work(trx)` in a local transaction that also records
   * the outcome, then commits the half message — or rolls it back if `work` throws (the error is
   * rethrown). If the process dies at any step, the broker's check-back gets a definite answer.
   */
  send<T>(message: OutboxMessage, work: (trx: Transaction<any>) => Promise<T>): Promise<TransactionalSendResult<T>>;
  /** Answers a check-back for a half message (used by the producer's checker; exposed for tests and custom transports). */
  check(message: { readonly properties?: Readonly<Record<string, string>> }): Promise<CheckAnswer | 'UNKNOWN'>;
  /** Deletes transaction-log rows older than `olderThanMs` (keep them longer than the broker's check window). */
  purge(olderThanMs: number): Promise<number>;
  /** Closes the producer. */
  close(): Promise<void>;
}

/**
 * Creates a transactional sender whose check-back answers itself from a transaction-log row and
 * fences a transaction still in flight, so a half message is never left "unknown".
 *
 * @example
 * ```ts
 * const sender = await createTransactionalSender({ db, endpoints: '127.0.0.1:8081', topics: ['user-registered'] });
 * await sender.send({ topic: 'user-registered', body: { userId: 42 } }, (trx) =>
 *   trx.insertInto('users').values({ id: 42, name: 'Ada' }).execute(),
 * );
 * ```
 */
export async function createTransactionalSender(options: TransactionalSenderOptions): Promise<TransactionalSender> {
  const { db, endpoints, onError } = options;
  if (db === null || typeof db !== 'object' || typeof (db as Partial<Kysely<any>>).transaction !== 'function') {
    throw new InvalidOptionsError('db', 'must be a Kysely instance');
  }
  if (typeof endpoints !== 'string' || endpoints.length === 0) {
    throw new InvalidOptionsError('endpoints', 'must be a non-empty "host:port" string');
  }
  const schema = resolveSchema(options.schema);
  const report = (error: unknown) => onError?.(error);

  const check = async (message: { readonly properties?: Readonly<Record<string, string>> }) => {
    const transactionId = message.properties?.[TRANSACTION_ID_PROPERTY];
    // Not a half message of a txmq sender: not ours to decide.
    if (transactionId === undefined) return 'UNKNOWN' as const;
    return answerCheck(db, schema, transactionId);
  };

  const producer = createProducer({
    endpoints,
    ...(options.topics === undefined ? {} : { topics: [...options.topics] }),
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    checker: async (message) => {
      try {
        return await check(message);
      } catch (error) {
        report(error);
        return 'UNKNOWN'; // the broker asks again later
      }
    },
  });
  // Connect now: check-backs for half messages of an earlier sender are answered only while connected.
  await producer.start();
  let closed = false;

  return Object.freeze({
    migrate: () => migrate(db, schema),
    check,
    async send<T>(message: OutboxMessage, work: (trx: Transaction<any>) => Promise<T>): Promise<TransactionalSendResult<T>> {
      if (closed) throw new OutboxStateError('sender.send() called after close()');
      const encoded = encodeMessage(message);
      if (encoded.deliverAt !== undefined) {
        throw new InvalidMessageError('message.deliverAt', 'is not supported for transactional (half) messages');
      }
      if (typeof work !== 'function') throw new InvalidOptionsError('work', 'must be a function (trx) => Promise');
      const id = randomUUID();
      const outgoing = brokerMessage(encoded, { [MESSAGE_ID_PROPERTY]: id, [TRANSACTION_ID_PROPERTY]: id });
      const half = await producer.sendHalf(outgoing);
      let workFinished = false;
      let result: T;
      try {
        result = await db.transaction().execute(async (trx) => {
          await recordCommit(trx, schema, id);
          const value = await work(trx);
          workFinished = true;
          return value;
        });
      } catch (error) {
        // If `work` finished, the failure came from COMMIT itself and its outcome is unknown:
        // leave the decision to the check-back, which reads the truth from the log row.
        if (!workFinished) await half.rollback().catch(report);
        throw error;
      }
      try {
        await half.commit();
        return { messageId: id, transactionId: half.transactionId, result, settledBy: 'committed' };
      } catch (error) {
        report(error);
        return { messageId: id, transactionId: half.transactionId, result, settledBy: 'check-back' };
      }
    },
    async purge(olderThanMs: number) {
      if (!Number.isInteger(olderThanMs) || olderThanMs < 0) {
        throw new InvalidOptionsError('olderThanMs', `must be a non-negative integer, got ${String(olderThanMs)}`);
      }
      const result = await sql`
        delete from ${sql.table(`${schema}.transaction_log`)}
        where created_at < now() - ${olderThanMs} * interval '1 millisecond'`.execute(db);
      return Number(result.numAffectedRows ?? 0n);
    },
    async close() {
      if (closed) return;
      closed = true;
      await producer.close();
    },
  });
}
