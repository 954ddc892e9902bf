import type { Kysely } from 'kysely';
import { InvalidOptionsError, InvalidMessageError } from '../errors.js';
import { encodeMessage } from '../message/encode-message.js';
import type { EncodedMessage, OutboxMessage } from '../message/message.js';
import { migrate, type MigrateResult } from '../schema/migrate.js';
import { notifyChannel, resolveSchema } from '../schema/schema-name.js';
import { listParked, redriveParked, type ParkedMessage } from './parked.js';
import { readStats, type OutboxStats } from './stats.js';
import { insertMessages, type SentMessage } from './send.js';
import { assertTransaction } from './transaction-guard.js';
import { notifyVia, WakeUpScheduler, type WakeUpClock } from './wake-up.js';

/** Options of {@link createOutbox}. */
export interface OutboxOptions {
  /** The application's Kysely instance (node-postgres dialect, or PGlite via `createPgliteDialect`). */
  readonly db: Kysely<any>;
  /** Schema holding the outbox tables; default `txmq`. */
  readonly schema?: string;
  /**
   * Wake LISTENing relays shortly after writes (default `true`): a coalesced NOTIFY sent on its own
   * connection 2 ms after a send and again 10, 40 and 160 ms after the latest send, at most one per
   * 10 ms, never inside the caller's transaction. `false` leaves relays to their polling. Polling
   * runs either way.
   */
  readonly notify?: boolean;
  /**
   * Returns headers describing the current trace (e.g. `{ traceparent }` from OpenTelemetry's
   * `propagation.inject`); they are added to every message that does not set them itself.
   */
  readonly traceContext?: () => Readonly<Record<string, string>> | undefined;
  /**
   * The time and timers the wake-ups run on; for tests, which advance a fake clock to send each
   * wake-up when they choose. Default: the system clock.
   */
  readonly clock?: WakeUpClock;
}

/** The transactional outbox. Create it with {@link createOutbox}. */
export interface Outbox {
  /** The Kysely instance the outbox reads and writes with. */
  readonly db: Kysely<any>;
  /** The schema holding the outbox tables. */
  readonly schema: string;
  /** The LISTEN/NOTIFY channel the outbox sends wake-ups on. */
  readonly channel: string;
  /** Applies pending schema migrations; idempotent and safe to run from several processes at once. */
  migrate(): Promise<MigrateResult>;
  /**
   * Writes `message` in the caller's transaction: it is published if and only if `trx` commits.
   * @throws OutboxNotInTransactionError when `trx` is not a Kysely transaction.
   * @throws InvalidMessageError naming the offending field when the message is malformed or would
   *   be refused by the broker (RocketMQ's rules on topic, tag, keys, message group, properties, body).
   */
  send(trx: Kysely<any>, message: OutboxMessage): Promise<SentMessage>;
  /** Like {@link Outbox.send} for several messages, written with one statement. */
  sendMany(trx: Kysely<any>, messages: readonly OutboxMessage[]): Promise<SentMessage[]>;
  /** Current counts of pending, in-flight, parked and retained rows. */
  stats(): Promise<OutboxStats>;
  /** Lists parked rows, oldest first. */
  parked(options?: { readonly limit?: number }): Promise<ParkedMessage[]>;
  /** Puts parked rows back in line (all of them, or those with the given row ids); returns how many. */
  redrive(ids?: readonly string[]): Promise<number>;
}

/**
 * Creates a Postgres transactional outbox on the caller's Kysely instance.
 *
 * @example
 * ```ts
 * const outbox = createOutbox({ db });
 * await outbox.migrate();
 * await db.transaction().execute(async (trx) => {
 *   await trx.insertInto('users').values({ id: 42, name: 'Ada' }).execute();
 *   await outbox.send(trx, { topic: 'user-registered', body: { userId: 42 }, messageGroup: 'user-42' });
 * });
 * ```
 */
export function createOutbox(options: OutboxOptions): Outbox {
  if (options === null || typeof options !== 'object') throw new InvalidOptionsError('options', 'must be an object');
  const { db, traceContext } = options;
  if (db === null || typeof db !== 'object' || typeof (db as Partial<Kysely<any>>).transaction !== 'function') {
    throw new InvalidOptionsError('db', 'must be a Kysely instance');
  }
  if (traceContext !== undefined && typeof traceContext !== 'function') {
    throw new InvalidOptionsError('traceContext', 'must be a function returning headers');
  }
  const schema = resolveSchema(options.schema);
  if (options.notify !== undefined && typeof options.notify !== 'boolean') {
    throw new InvalidOptionsError('notify', 'must be a boolean');
  }
  const settings = { schema };
  const channel = notifyChannel(schema);
  const { clock } = options;
  if (clock !== undefined && !isClock(clock)) {
    throw new InvalidOptionsError('clock', 'must have now(), setTimer() and clearTimer() methods');
  }
  const wakeUps = options.notify === false ? undefined : new WakeUpScheduler({ notify: notifyVia(db, channel), ...(clock !== undefined && { clock }) });

  const encode = (message: unknown, path: string): EncodedMessage => {
    const trace = traceContext?.();
    return encodeMessage(message, path, trace === undefined ? {} : { defaultHeaders: trace });
  };

  return Object.freeze({
    db,
    schema,
    channel,
    migrate: () => migrate(db, schema),
    async send(trx: Kysely<any>, message: OutboxMessage) {
      assertTransaction(trx, 'send');
      const [sent] = await insertMessages(trx, settings, [encode(message, 'message')]);
      wakeUps?.sent();
      return sent as SentMessage;
    },
    async sendMany(trx: Kysely<any>, messages: readonly OutboxMessage[]) {
      assertTransaction(trx, 'sendMany');
      if (!Array.isArray(messages)) throw new InvalidMessageError('messages', 'must be an array');
      const sent = await insertMessages(trx, settings, messages.map((m, i) => encode(m, `messages[${i}]`)));
      if (sent.length > 0) wakeUps?.sent();
      return sent;
    },
    stats: () => readStats(db, schema),
    parked: (opts?: { readonly limit?: number }) => listParked(db, schema, opts?.limit ?? 100),
    redrive: (ids?: readonly string[]) => redriveParked(db, schema, ids),
  });
}

function isClock(value: unknown): value is WakeUpClock {
  return value !== null && typeof value === 'object' && ['now', 'setTimer', 'clearTimer'].every((m) => typeof (value as Record<string, unknown>)[m] === 'function');
}
