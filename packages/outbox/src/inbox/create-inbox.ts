import { sql, type Kysely, type Transaction } from 'kysely';
import { InvalidMessageError, InvalidOptionsError } from '../errors.js';
import { MESSAGE_ID_PROPERTY } from '../message/message.js';
import { migrate, type MigrateResult } from '../schema/migrate.js';
import { resolveSchema } from '../schema/schema-name.js';

/** The smallest shape of a received message the inbox needs (a broker `ReceivedMessage` fits). */
export interface InboxMessage {
  /** The transport's id; used only when the message did not come through a txmq outbox. */
  readonly messageId: string;
  readonly topic?: string;
  /** `txmq-message-id`, set by the outbox relay and the transactional sender, is the dedup key. */
  readonly properties?: Readonly<Record<string, string>>;
}

/** Outcome of {@link Inbox.process}. */
export type InboxResult<T> =
  | { readonly status: 'processed'; readonly messageId: string; readonly result: T }
  | { readonly status: 'duplicate'; readonly messageId: string };

/** Options of {@link createInbox}; `DB` is your Kysely database type. */
export interface InboxOptions<DB = any> {
  readonly db: Kysely<DB>;
  /** Schema holding the inbox table; default `txmq`. Use the same as `createOutbox`. */
  readonly schema?: string;
  /** Dedup scope: every consumer group applies each message once. */
  readonly consumerGroup: string;
}

/** Consumer-side deduplication. Create it with {@link createInbox}. */
export interface Inbox<DB = any> {
  readonly consumerGroup: string;
  /** Applies pending schema migrations (the same ones as `outbox.migrate()`). */
  migrate(): Promise<MigrateResult>;
  /**
   * Runs `handler` exactly once per (message id, consumer group): in one transaction, records the
   * message, then runs the handler. A message already recorded is skipped and reported as a
   * duplicate; if the handler throws, the record rolls back with the handler's writes and the
   * error propagates (do not ack, so the broker redelivers).
   */
  process<M extends InboxMessage, T>(
    message: M,
    handler: (trx: Transaction<DB>, message: M) => Promise<T>,
  ): Promise<InboxResult<T>>;
  /** Deletes dedup records older than `olderThanMs`; duplicates arriving later are no longer detected. */
  purge(olderThanMs: number): Promise<number>;
}

/** The id the inbox deduplicates on: the outbox message id when present, else the transport's id. */
export function inboxMessageId(message: InboxMessage): string {
  const id = message.properties?.[MESSAGE_ID_PROPERTY] ?? message.messageId;
  if (typeof id !== 'string' || id.length === 0) {
    throw new InvalidMessageError('message.messageId', 'must be a non-empty string (the inbox deduplicates on it)');
  }
  return id;
}

/**
 * Creates an inbox: at-least-once delivery, exactly-once effect. Does no I/O.
 *
 * Invariant: the dedup record is inserted first, in the handler's transaction, with
 * `ON CONFLICT DO NOTHING`. A concurrent consumer processing the same message blocks on that
 * insert until the first transaction ends: if it committed, the second sees a conflict and reports
 * a duplicate; if it rolled back, the second proceeds. The handler never runs twice to completion.
 *
 * @example
 * ```ts
 * const inbox = createInbox({ db, consumerGroup: 'points' });
 * for (const m of await consumer.receive(16)) {
 *   await inbox.process(m, (trx) => trx.insertInto('points').values({ user: 42, amount: 10 }).execute());
 *   await consumer.ack(m);
 * }
 * ```
 * @throws InvalidOptionsError naming a bad option.
 */
export function createInbox<DB>(options: InboxOptions<DB>): Inbox<DB> {
  if (options === null || typeof options !== 'object') throw new InvalidOptionsError('options', 'must be an object');
  const { db, consumerGroup } = options;
  if (db === null || typeof db !== 'object' || typeof (db as Partial<Kysely<DB>>).transaction !== 'function') {
    throw new InvalidOptionsError('db', 'must be a Kysely instance');
  }
  if (typeof consumerGroup !== 'string' || consumerGroup.length === 0) {
    throw new InvalidOptionsError('consumerGroup', 'must be a non-empty string');
  }
  const schema = resolveSchema(options.schema);
  const inbox = sql.table(`${schema}.inbox`);
  return Object.freeze({
    consumerGroup,
    migrate: () => migrate(db, schema),
    async process<M extends InboxMessage, T>(message: M, handler: (trx: Transaction<DB>, message: M) => Promise<T>) {
      const messageId = inboxMessageId(message);
      if (typeof handler !== 'function') throw new InvalidOptionsError('handler', 'must be a function');
      return db.transaction().execute(async (trx): Promise<InboxResult<T>> => {
        const { rows } = await sql`
          insert into ${inbox} (consumer_group, message_id, topic)
          values (${consumerGroup}, ${messageId}, ${message.topic ?? null})
          on conflict do nothing
          returning 1 as inserted`.execute(trx);
        if (rows.length === 0) return { status: 'duplicate', messageId };
        return { status: 'processed', messageId, result: await handler(trx, message) };
      });
    },
    async purge(olderThanMs: number) {
      if (!Number.isInteger(olderThanMs) || olderThanMs < 0) {
        throw new InvalidOptionsError('olderThanMs', `must be a non-negative integer, got ${String(olderThanMs)}`);
      }
      const result = await sql`
        delete from ${inbox}
        where consumer_group = ${consumerGroup} and processed_at < now() - ${olderThanMs} * interval '1 millisecond'`.execute(db);
      return Number(result.numAffectedRows ?? 0n);
    },
  });
}
