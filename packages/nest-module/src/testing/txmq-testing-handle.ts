import { setTimeout as sleep } from 'node:timers/promises';
import type { OnApplicationShutdown } from '@nestjs/common';
import { startBroker, type BrokerConfig, type RunningBroker } from '@txmq/broker';
import { createPgliteDialect, pgliteNotifications, type NotificationSource } from '@txmq/outbox';
import { Kysely, sql } from 'kysely';
import { freshPglite } from './fresh-pglite.js';
import { NotConsumedError } from './not-consumed-error.js';

/** Options of {@link TxmqTestingHandle.waitUntilConsumed}. */
export interface WaitUntilConsumedOptions {
  /** The topic the application sent to. */
  readonly topic: string;
  /** The consumer group (of an `@OnMessage` handler) that must have applied the messages. */
  readonly group: string;
  /** How long to wait before rejecting with `NotConsumedError` (default 10 000 ms). */
  readonly timeoutMs?: number;
}

/** @internal What {@link TxmqTestingHandle.start} needs. */
export interface TestingHandleStart {
  readonly db: Kysely<any> | undefined;
  readonly broker: BrokerConfig;
  readonly setup: ((db: Kysely<any>) => void | Promise<void>) | undefined;
  /** The outbox schema of the module. */
  readonly schema: string;
}

const POLL_MS = 20;
const DEFAULT_TIMEOUT_MS = 10_000;

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
  /** @internal LISTEN/NOTIFY of the module's PGlite database, so the relay wakes on commit. */
  readonly notifications: NotificationSource | undefined;
  readonly #broker: RunningBroker;
  readonly #ownsDb: boolean;
  #closing: Promise<void> | undefined;

  private constructor(broker: RunningBroker, db: Kysely<any>, schema: string, notifications: NotificationSource | undefined) {
    this.endpoint = broker.endpoint;
    this.db = db;
    this.schema = schema;
    this.notifications = notifications;
    this.#broker = broker;
    this.#ownsDb = notifications !== undefined;
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
   * Resolves once every message the application wrote to its outbox for `topic` (what
   * `TxmqProducer.send` sends inside a transaction) has been applied by `group`: its inbox
   * record, and so the handler's writes, are committed. Messages published directly (outside a
   * transaction, or by another client) are not tracked. Rejects with `NotConsumedError` after
   * `timeoutMs`, or at once when the relay parked one of the messages.
   */
  async waitUntilConsumed(options: WaitUntilConsumedOptions): Promise<void> {
    const { topic, group } = options;
    const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    for (;;) {
      const left = await this.#unconsumed(topic, group);
      if (left.length === 0) return;
      const ids = left.map((row) => row.message_id);
      const parked = left.find((row) => row.status === 'parked');
      if (parked !== undefined) throw new NotConsumedError(topic, group, ids, `message ${parked.message_id} was parked by the relay (${parked.last_error ?? 'no error recorded'})`);
      if (Date.now() >= deadline) throw new NotConsumedError(topic, group, ids, `not applied within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`);
      await sleep(POLL_MS);
    }
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

  async #unconsumed(topic: string, group: string): Promise<{ message_id: string; status: string; last_error: string | null }[]> {
    const { rows } = await sql<{ message_id: string; status: string; last_error: string | null }>`
      select o.message_id::text as message_id, o.status, o.last_error
      from ${sql.table(`${this.schema}.outbox`)} as o
      where o.topic = ${topic}
        and not exists (
          select 1 from ${sql.table(`${this.schema}.inbox`)} as i
          where i.consumer_group = ${group} and i.message_id = o.message_id::text)
      order by o.id`.execute(this.db);
    return rows;
  }
}
