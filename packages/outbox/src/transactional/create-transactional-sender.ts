import { randomUUID } from 'node:crypto';
import type { ClientLogger, ReceivedMessage } from '@txmq/broker/client';
import { sql, type Kysely, type Transaction } from 'kysely';
import { InvalidOptionsError, OutboxStateError } from '../errors.js';
import { encodeMessage } from '../message/encode-message.js';
import { MESSAGE_ID_PROPERTY, SENDER_TRANSACTION_ID_PROPERTY, type OutboxMessage } from '../message/message.js';
import { brokerSecurity, type BrokerSecurityOptions } from '../publisher/broker-security.js';
import { createOutboxProducer } from '../publisher/outbox-producer.js';
import { brokerMessage } from '../publisher/to-broker-message.js';
import { toPublishError } from '../publisher/to-publish-error.js';
import { migrate, type MigrateResult } from '../schema/migrate.js';
import { resolveSchema } from '../schema/schema-name.js';
import { assertTransaction } from '../outbox/transaction-guard.js';
import { pendingHalfMessage, type PendingHalfMessage } from './pending-half-message.js';
import { answerCheck, recordCommit, recordedIn, type CheckAnswer } from './transaction-log.js';

/**
 * Options of {@link createTransactionalSender}; `DB` is your Kysely database type. `credentials`
 * and the TLS options reach a secured broker.
 */
export interface TransactionalSenderOptions<DB = any> extends BrokerSecurityOptions {
  readonly db: Kysely<DB>;
  /** Schema holding the transaction-log table; default `txmq`. Use the same as `createOutbox`. */
  readonly schema?: string;
  /** `host:port` of a txmq broker or RocketMQ 5 proxy. */
  readonly endpoints: string;
  /**
   * Topics this sender sends to, announced to the broker at `start()` (all of them, on one
   * connection) so that check-backs of half messages an earlier instance left on any of them reach it.
   */
  readonly topics?: readonly string[];
  /** RocketMQ namespace of the producer (default none). */
  readonly namespace?: string;
  /** Per-request timeout of the producer, in ms (at least 1000; the client's default otherwise). */
  readonly requestTimeoutMs?: number;
  /** How long connecting to the broker may take before a start or send fails, in ms (default 30 000). */
  readonly startupTimeoutMs?: number;
  /** Where the producer logs; default warnings and errors on stderr. */
  readonly logger?: ClientLogger;
  /** Called with errors the sender recovers from (a failed EndTransaction, a failed check-back). */
  readonly onError?: (error: unknown) => void;
  /**
   * How long a check-back of a transaction that is still open waits for it to end, in ms
   * (default 1000). It holds a connection of `db` meanwhile; a transaction still open then is
   * answered UNKNOWN, and the broker asks again at its next check.
   */
  readonly checkWaitMs?: number;
}

/** {@link TransactionalSenderOptions.checkWaitMs} when the options do not say. */
const DEFAULT_CHECK_WAIT_MS = 1000;
/** The largest `lock_timeout` Postgres takes, in ms. */
const MAX_LOCK_TIMEOUT_MS = 2_147_483_647;

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
export interface TransactionalSender<DB = any> {
  /** Applies pending schema migrations (the same ones as `outbox.migrate()`). */
  migrate(): Promise<MigrateResult>;
  /**
   * Connects now instead of on the first `send`, announcing `topics` so that the broker's
   * check-backs reach this process. Call it at boot, so half messages an earlier instance left
   * when it crashed are answered even before (or without) a send; it fails fast on a wrong endpoint.
   * @throws PublishError when a connection failed (the broker unreachable, a topic refused, the
   *   `credentials` refused: `status` 40100 or 40300 and the broker's reason in the message); the
   *   sender is then closed, with every connection it had opened: create a new one to try again.
   */
  start(): Promise<void>;
  /**
   * Sends `message` as a half message, runs `work(trx)` in a local transaction that also records
   * the outcome, then commits the half message — or rolls it back if `work` throws (the error is
   * rethrown). If the process dies at any step, the broker's check-back gets a definite answer.
   * @throws InvalidMessageError naming the field when the message would be refused (a half message
   *   has neither `messageGroup` nor `deliverAt`).
   * @throws PublishError when the half message could not be sent (`work` did not run).
   */
  send<T>(message: OutboxMessage, work: (trx: Transaction<DB>) => Promise<T>): Promise<TransactionalSendResult<T>>;
  /**
   * Sends `message` as a half message whose local transaction is yours: records in `trx` that it
   * commits (the transaction-log row a check-back reads) and returns it pending. Settle it after
   * `trx` ends: `commit()` once it committed, `rollback()` once it rolled back; if the commit
   * failed (outcome unknown) or the process dies first, leave it: the broker's check-back answers
   * from the log (COMMIT if the row committed, else ROLLBACK, fencing a late commit).
   * @throws InvalidMessageError naming the field (a half message has neither `messageGroup` nor `deliverAt`).
   * @throws OutboxNotInTransactionError when `trx` is not a Kysely transaction.
   * @throws PublishError when the half message could not be sent (nothing was written).
   * @throws TransactionFencedError when a check-back already answered ROLLBACK for it: the half
   *   message is rolled back, and `trx` is aborted (its insert of the record failed), so it must
   *   roll back; a COMMIT of it would be answered with a silent ROLLBACK. Any other error of the
   *   record (the driver's) leaves `trx` aborted and the half message rolled back too.
   */
  sendInTransaction(trx: Transaction<DB>, message: OutboxMessage): Promise<PendingHalfMessage>;
  /**
   * Which of `messages` (sent with `sendInTransaction(trx, ...)`) `trx` no longer records as
   * committing, because a `rollback to savepoint` undid the record. Call it right before
   * committing `trx`, and `rollback()` the ones it returns: the commit cannot deliver them (their
   * check-back answers ROLLBACK). One statement, whatever the number of messages.
   * @throws OutboxNotInTransactionError when `trx` is not a Kysely transaction.
   * @throws the driver's error (SQLSTATE 25P02) when `trx` is aborted and can only roll back.
   */
  unrecorded(trx: Transaction<DB>, messages: readonly PendingHalfMessage[]): Promise<PendingHalfMessage[]>;
  /**
   * Answers a check-back for a half message (used by the producer's checker; exposed for tests and
   * custom transports): UNKNOWN when its transaction is still open after `checkWaitMs`.
   */
  check(message: { readonly properties?: Readonly<Record<string, string>> }): Promise<CheckAnswer | 'UNKNOWN'>;
  /** Deletes transaction-log rows older than `olderThanMs` (keep them longer than the broker's check window). */
  purge(olderThanMs: number): Promise<number>;
  /** Closes the producer; idempotent. */
  close(): Promise<void>;
}

/**
 * Creates a transactional sender whose check-back answers itself from a transaction-log row and
 * fences a transaction still in flight, so a half message is never left "unknown". Does no I/O:
 * the producer connects on the first `send` (or on `start()`).
 *
 * @example
 * ```ts
 * const sender = createTransactionalSender({ db, endpoints: '127.0.0.1:8081', topics: ['user-registered'] });
 * await sender.start(); // at boot: answers check-backs for half messages a crashed instance left
 * await sender.send({ topic: 'user-registered', body: { userId: 42 } }, (trx) =>
 *   trx.insertInto('users').values({ id: 42, name: 'Ada' }).execute(),
 * );
 * await sender.close();
 * ```
 * @throws InvalidOptionsError naming a bad option.
 */
export function createTransactionalSender<DB>(options: TransactionalSenderOptions<DB>): TransactionalSender<DB> {
  if (options === null || typeof options !== 'object') throw new InvalidOptionsError('options', 'must be an object');
  const { db, endpoints, onError, topics, namespace, requestTimeoutMs, startupTimeoutMs, logger, checkWaitMs = DEFAULT_CHECK_WAIT_MS } = options;
  if (db === null || typeof db !== 'object' || typeof (db as Partial<Kysely<DB>>).transaction !== 'function') {
    throw new InvalidOptionsError('db', 'must be a Kysely instance');
  }
  if (topics !== undefined && !Array.isArray(topics)) throw new InvalidOptionsError('topics', 'must be an array of topic names');
  if (onError !== undefined && typeof onError !== 'function') {
    throw new InvalidOptionsError('onError', 'must be a function (error) => void');
  }
  if (!Number.isInteger(checkWaitMs) || checkWaitMs < 1 || checkWaitMs > MAX_LOCK_TIMEOUT_MS) {
    throw new InvalidOptionsError('checkWaitMs', `must be an integer from 1 to ${MAX_LOCK_TIMEOUT_MS}, got ${String(checkWaitMs)}`);
  }
  const schema = resolveSchema(options.schema);
  const report = (error: unknown) => onError?.(error);

  // A check of a transaction still open waits for it (see answerCheck, at most checkWaitMs) on a
  // connection of `db`; the broker's repeated checks of that transaction share the one waiting.
  const checking = new Map<string, Promise<CheckAnswer | 'UNKNOWN'>>();
  const check = async (message: { readonly properties?: Readonly<Record<string, string>> }) => {
    const transactionId = message.properties?.[SENDER_TRANSACTION_ID_PROPERTY];
    // Not a half message of a txmq sender: not ours to decide.
    if (transactionId === undefined) return 'UNKNOWN' as const;
    let answer = checking.get(transactionId);
    if (answer === undefined) {
      answer = answerCheck(db, schema, transactionId, checkWaitMs).finally(() => checking.delete(transactionId));
      checking.set(transactionId, answer);
    }
    return answer;
  };
  const checker = async (message: ReceivedMessage) => {
    try {
      return await check(message);
    } catch (error) {
      report(error);
      return 'UNKNOWN' as const; // the broker asks again later
    }
  };

  const clientOptions = {
    endpoints,
    ...(namespace !== undefined && { namespace }),
    ...(requestTimeoutMs !== undefined && { requestTimeoutMs }),
    ...(startupTimeoutMs !== undefined && { startupTimeoutMs }),
    ...(logger !== undefined && { logger }),
    ...brokerSecurity(options),
    checker,
  };
  // The client checks endpoints, namespace, topics, the timeouts, logger, credentials and TLS (InvalidOptionsError
  // names a bad one). The broker sends a check-back only to a producer that announced the topic:
  // the producer announces every one of `topics` in its Settings.
  const producer = createOutboxProducer({ ...clientOptions, ...(topics !== undefined && { topics: [...new Set(topics)] }) });
  let closed = false;
  const close = async () => {
    closed = true;
    await producer.close();
  };

  const assertOpen = (method: string) => {
    if (closed) throw new OutboxStateError(`sender.${method}() called after close()`);
  };
  /** Checks and encodes `message` (no I/O); `transmit` then sends it as a half message. */
  const prepare = (message: OutboxMessage) => {
    const encoded = encodeMessage(message, 'message', { transactional: true });
    const id = randomUUID();
    const transmit = async (): Promise<PendingHalfMessage> => {
      const outgoing = brokerMessage(encoded, { [MESSAGE_ID_PROPERTY]: id, [SENDER_TRANSACTION_ID_PROPERTY]: id });
      try {
        return pendingHalfMessage(await producer.sendHalf(outgoing), id, report);
      } catch (error) {
        throw toPublishError(error, `sending the half message to topic ${encoded.topic}`);
      }
    };
    return { topic: encoded.topic, transmit };
  };

  return Object.freeze({
    migrate: () => migrate(db, schema),
    check,
    async start() {
      assertOpen('start');
      try {
        await producer.start();
      } catch (error) {
        // A producer left half-connected would keep the process alive.
        await close();
        throw toPublishError(error, 'connecting the transactional sender');
      }
    },
    async send<T>(message: OutboxMessage, work: (trx: Transaction<DB>) => Promise<T>): Promise<TransactionalSendResult<T>> {
      assertOpen('send');
      const { topic, transmit } = prepare(message);
      if (typeof work !== 'function') throw new InvalidOptionsError('work', 'must be a function (trx) => Promise');
      // The half message goes out before the local transaction begins, so no connection is held
      // during the broker round trip.
      const pending = await transmit();
      let workFinished = false;
      let result: T;
      try {
        result = await db.transaction().execute(async (trx) => {
          await recordCommit(trx, schema, pending.messageId, topic);
          const value = await work(trx);
          workFinished = true;
          return value;
        });
      } catch (error) {
        // If `work` finished, the failure came from COMMIT itself and its outcome is unknown:
        // leave the decision to the check-back, which reads the truth from the log row.
        if (!workFinished) await pending.rollback();
        throw error;
      }
      const settledBy = await pending.commit();
      return { messageId: pending.messageId, transactionId: pending.transactionId, result, settledBy };
    },
    async sendInTransaction(trx: Transaction<DB>, message: OutboxMessage): Promise<PendingHalfMessage> {
      assertOpen('sendInTransaction');
      assertTransaction(trx, 'sendInTransaction', 'sender');
      const { topic, transmit } = prepare(message);
      const pending = await transmit();
      try {
        await recordCommit(trx, schema, pending.messageId, topic);
      } catch (error) {
        // Fenced (the check-back already answered ROLLBACK), or the caller's transaction failed:
        // this message cannot commit, so nothing is left for the caller to settle.
        await pending.rollback();
        throw error;
      }
      return pending;
    },
    async unrecorded(trx: Transaction<DB>, messages: readonly PendingHalfMessage[]): Promise<PendingHalfMessage[]> {
      assertTransaction(trx, 'unrecorded', 'sender');
      const recorded = await recordedIn(trx, schema, messages.map((message) => message.messageId));
      return messages.filter((message) => !recorded.has(message.messageId));
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
    close,
  });
}
