import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Inject, Injectable, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { ReceivedMessage } from '@txmq/broker/client';
import { decodeBody, InvalidOptionsError } from '@txmq/outbox';
import { sql, type Kysely } from 'kysely';
import { OnMessage, TransactionHost, Transactional, TxmqProducer } from '../src/index.js';
import { NotConsumedError, TxmqTestingHandle, TxmqTestingModule, type TxmqTestingModuleOptions } from '../src/testing/index.js';

const QUIET = { info: () => undefined, warn: () => undefined, error: () => undefined };
/** Longer than any wait here that must end for another reason than its timeout. */
const LONG_MS = 60_000;

@Injectable()
class Orders {
  constructor(
    @Inject(TransactionHost) private readonly host: TransactionHost,
    @Inject(TxmqProducer) private readonly producer: TxmqProducer,
  ) {}

  @Transactional()
  async place(id: string): Promise<void> {
    await this.host.tx.insertInto('orders').values({ id }).execute();
    await this.producer.send({ topic: 'placed', body: { id } });
  }

  @OnMessage({ topic: 'placed', group: 'billing' })
  async bill(message: ReceivedMessage): Promise<void> {
    const { id } = decodeBody(message) as { id: string };
    await this.host.tx.insertInto('bills').values({ id }).execute();
  }
}

async function boot(options: TxmqTestingModuleOptions = {}): Promise<{ app: INestApplicationContext; handle: TxmqTestingHandle; orders: Orders }> {
  const setup = async (db: Kysely<any>) => {
    await sql`create table orders (id text primary key)`.execute(db);
    await sql`create table bills (id text primary key)`.execute(db);
  };
  const moduleRef = await Test.createTestingModule({ imports: [TxmqTestingModule.forRoot({ logger: QUIET, setup, ...options })], providers: [Orders] }).compile();
  moduleRef.useLogger(false);
  try {
    await moduleRef.init();
  } catch (error) {
    await moduleRef.close();
    throw error;
  }
  return { app: moduleRef, handle: moduleRef.get(TxmqTestingHandle), orders: moduleRef.get(Orders) };
}

async function bills(db: Kysely<any>): Promise<string[]> {
  return (await db.selectFrom('bills').select('id').orderBy('id').execute()).map((row) => row.id as string);
}

/** The NotConsumedError `promise` rejects with. */
async function notConsumed(promise: Promise<void>): Promise<NotConsumedError> {
  const error = await promise.then(
    () => assert.fail('resolved'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof NotConsumedError, String(error));
  return error;
}

describe('TxmqTestingHandle.waitUntilConsumed', () => {
  it('waits for at least one message to be sent: a wait that starts before the send resolves once it is applied', async () => {
    const { app, handle, orders } = await boot();
    try {
      const waiting = handle.waitUntilConsumed({ topic: 'placed', group: 'billing', timeoutMs: LONG_MS });
      await orders.place('o1');
      await waiting;
      assert.deepEqual(await bills(handle.db), ['o1'], 'resolved after the handler applied the message');

      const none = await notConsumed(handle.waitUntilConsumed({ topic: 'never-sent', group: 'billing', timeoutMs: 200 }));
      assert.equal(none.code, 'NOT_CONSUMED');
      assert.match(none.message, /^no message sent to topic never-sent yet after 200 ms/);
      assert.equal(none.sent, 0);
      assert.deepEqual(none.messageIds, []);

      const few = await notConsumed(handle.waitUntilConsumed({ topic: 'placed', group: 'billing', atLeast: 2, timeoutMs: 200 }));
      assert.match(few.message, /^only 1 message\(s\) sent to topic placed, fewer than 2/);
      assert.equal(few.sent, 1);
      await handle.waitUntilConsumed({ topic: 'never-sent', group: 'billing', atLeast: 0 });
    } finally {
      await app.close();
    }
  });

  it('refuses bad options, naming the option', async () => {
    const { app, handle } = await boot();
    try {
      const option = async (options: object) => {
        const error = await handle.waitUntilConsumed({ topic: 'placed', group: 'billing', ...options }).then(() => assert.fail('resolved'), (e: unknown) => e);
        assert.ok(error instanceof InvalidOptionsError, String(error));
        return error.option;
      };
      assert.equal(await option({ atLeast: -1 }), 'atLeast');
      assert.equal(await option({ atLeast: 1.5 }), 'atLeast');
      assert.equal(await option({ timeoutMs: 0 }), 'timeoutMs');
      assert.equal(await option({ topic: '' }), 'topic');
      assert.equal(await option({ group: 7 }), 'group');
    } finally {
      await app.close();
    }
  });

  it('rejects at timeoutMs while the database does not answer (a PGlite transaction left open)', async () => {
    const { app, handle, orders } = await boot();
    try {
      await orders.place('o2');
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let holding = true;
      const safety = setTimeout(() => release(), LONG_MS);
      const holder = handle.db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        await released;
      });
      const error = await notConsumed(handle.waitUntilConsumed({ topic: 'placed', group: 'billing', timeoutMs: 300 }));
      const stillHolding = holding;
      release();
      clearTimeout(safety);
      await holder.finally(() => (holding = false));
      assert.equal(stillHolding, true, 'it rejected while the transaction still held the database');
      assert.match(error.message, /did not answer/);
    } finally {
      await app.close();
    }
  });

  it('rejects at once when the relay parked one of the messages', async () => {
    // A body over the broker's limit is refused (not retryable), so the relay parks the row.
    const { app, handle, orders } = await boot({ broker: { maxBodyBytes: 1024 } });
    try {
      await orders.place('x'.repeat(2048));
      const error = await notConsumed(handle.waitUntilConsumed({ topic: 'placed', group: 'billing', timeoutMs: LONG_MS }));
      assert.match(error.message, /^message \S+ sent to topic placed was parked by the relay \(.+\), so group billing never gets it$/);
      assert.equal(error.messageIds.length, 1);
    } finally {
      await app.close();
    }
  });

  it("with delivery 'half-message': waits for the half messages whose transaction committed", async () => {
    const { app, handle, orders } = await boot({ delivery: 'half-message' });
    try {
      await orders.place('h1');
      await handle.waitUntilConsumed({ topic: 'placed', group: 'billing', timeoutMs: LONG_MS });
      assert.deepEqual(await bills(handle.db), ['h1']);
      const outbox = await handle.db.selectFrom(`${handle.schema}.outbox`).select('id').execute();
      assert.deepEqual(outbox, [], 'nothing went through the outbox');
      const waiting = handle.waitUntilConsumed({ topic: 'placed', group: 'billing', atLeast: 2, timeoutMs: LONG_MS });
      await orders.place('h2');
      await waiting;
      assert.deepEqual(await bills(handle.db), ['h1', 'h2']);
    } finally {
      await app.close();
    }
  });
});
