import type { OnApplicationShutdown } from '@nestjs/common';
import { startBroker, type BrokerConfig, type RunningBroker } from '@txmq/broker';
import { createPgliteDialect, pgliteNotifications, type NotificationSource } from '@txmq/outbox';
import { Kysely } from 'kysely';
import { freshPglite } from './fresh-pglite.js';
import { topicProgress } from './topic-progress.js';
import { waitUntilConsumed, type WaitUntilConsumedOptions } from './wait-until-consumed.js';

/** @internal What {@link TxmqTestingHandle.start} needs. */
export interface TestingHandleStart {
  readonly db: Kysely<any> | undefined;
  readonly broker: BrokerConfig;
  readonly setup: ((db: Kysely<any>) => void | Promise<void>) | undefined;
  /** The outbox schema of the module. */
  readonly schema: string;
}

/** LISTEN/NOTIFY of a handle's own PGlite database, so the relay wakes on commit. */
const notificationsOf = new WeakMap<TxmqTestingHandle, NotificationSource>();

/** The LISTEN/NOTIFY source of `handle`'s PGlite database; undefined when the `db` option was given. */
export function pgliteNotificationsOf(handle: TxmqTestingHandle): NotificationSource | undefined {
  return notificationsOf.get(handle);
}

/**
 * The broker and database a `TxmqTestingModule` runs the application against. Inject it in a
 * test (`moduleRef.get(TxmqTestingHandle)`) to read the database, point another client at the
 * broker, or wait for consumers. Both are closed when the application closes (`app.close()`):
 * the broker always, the database when the module created it (PGlite).
 */
export class TxmqTestingHandle implements OnApplicationShutdown {
  /** `host:port` of the in-process broker (a free port of 127.0.0.1). */
  readonly endpoint: string;
  /** The application's database: the `db` option, or the module's PGlite database. */
  readonly db: Kysely<any>;
  /** The schema of the outbox and inbox tables. */
  readonly schema: string;
  readonly #broker: RunningBroker;
  readonly #ownsDb: boolean;
  #closing: Promise<void> | undefined;

  private constructor(broker: RunningBroker, db: Kysely<any>, schema: string, notifications: NotificationSource | undefined) {
    this.endpoint = broker.endpoint;
    this.db = db;
    this.schema = schema;
    this.#broker = broker;
    this.#ownsDb = notifications !== undefined;
    if (notifications !== undefined) notificationsOf.set(this, notifications);
  }

  /** @internal Starts the broker (memory store, free port) and, without `db`, a PGlite database, then runs `setup`. */
  static async start(options: TestingHandleStart): Promise<TxmqTestingHandle> {
    const broker = await startBroker({ port: 0, memory: true, logLevel: 'error', drainTimeoutMs: 2000, config: options.broker });
    // Nest gives no hook when compile() fails after this provider resolved: the broker then runs
    // until the process exits, and must not be what keeps it alive.
    broker.unref();
    let handle: TxmqTestingHandle | undefined;
    try {
      if (options.db !== undefined) {
        handle = new TxmqTestingHandle(broker, options.db, options.schema, undefined);
      } else {
        const pglite = await freshPglite();
        handle = new TxmqTestingHandle(broker, new Kysely<any>({ dialect: createPgliteDialect(pglite, { closeOnDestroy: true }) }), options.schema, pgliteNotifications(pglite));
      }
      await options.setup?.(handle.db);
      return handle;
    } catch (error) {
      await (handle?.close() ?? broker.close());
      throw error;
    }
  }

  /**
   * Resolves once at least `atLeast` (default 1) messages were sent to `topic` and `group` has
   * applied every one of them: its inbox record, and so the handler's writes, are committed. The
   * messages counted are those the application wrote to its outbox for `topic` (what
   * `TxmqProducer.send` sends inside a transaction) and the half messages whose transaction
   * committed (`delivery: 'half-message'`); messages published directly (outside a transaction,
   * or by another client) are not tracked. A message the group never receives (one its
   * `@OnMessage` tag filters out, one dead-lettered) is never applied, so waiting for it lasts
   * `timeoutMs`. Rejects with `NotConsumedError` after `timeoutMs` (also while the database does
   * not answer), or at once when the relay parked one of the messages.
   * @throws InvalidOptionsError (of `@txmq/outbox`) naming a bad option.
   */
  waitUntilConsumed(options: WaitUntilConsumedOptions): Promise<void> {
    return waitUntilConsumed(() => topicProgress(this.db, this.schema, options.topic, options.group), options);
  }

  /** Closes the database (when the module created it) and stops the broker; idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        if (this.#ownsDb) await this.db.destroy();
      } finally {
        await this.#broker.close();
      }
    })();
    return this.#closing;
  }

  /** @internal Runs at `app.close()`, after the txmq module stopped its relay, consumers and producer. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
