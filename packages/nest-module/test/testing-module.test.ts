import 'reflect-metadata';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Inject, Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { ReceivedMessage } from '@txmq/broker/client';
import { decodeBody, InvalidOptionsError } from '@txmq/outbox';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { OnMessage, TransactionHost, Transactional, TxmqContext, TxmqProducer } from '../src/index.js';
import { NotConsumedError, TESTING_RETRY_BACKOFF, TxmqTestingHandle, TxmqTestingModule, type TxmqTestingModuleOptions } from '../src/testing/index.js';
import { onMessageGroups } from '../src/testing/on-message-groups.js';
import { testingBrokerConfig } from '../src/testing/testing-broker-config.js';
import { DATABASE_URL } from './helpers.js';

const QUIET = { info: () => undefined, warn: () => undefined, error: () => undefined };
/** How long the child process of the exit test may take before it counts as hanging. */
const CHILD_BOUND_MS = 60_000;

/** What the handlers saw: `<name>:<delivery attempt>`. */
const deliveries: string[] = [];

@Injectable()
class Accounts {
  constructor(
    @Inject(TransactionHost) private readonly host: TransactionHost,
    @Inject(TxmqProducer) private readonly producer: TxmqProducer,
  ) {}

  @Transactional()
  async register(name: string, options: { fail?: boolean } = {}): Promise<void> {
    await this.host.tx.insertInto('users').values({ name }).execute();
    await this.producer.send({ topic: 'registered', body: { name } });
    if (options.fail === true) throw new Error(`registering ${name} failed`);
  }

  @OnMessage({ topic: 'registered', group: 'welcome' })
  async welcome(message: ReceivedMessage, context: TxmqContext): Promise<void> {
    const { name } = decodeBody(message) as { name: string };
    deliveries.push(`${name}:${context.getDeliveryAttempt()}`);
    await this.host.tx.insertInto('welcomes').values({ name }).execute();
    if (name.startsWith('flaky') && context.getDeliveryAttempt() === 1) throw new Error('first attempt fails');
  }
}

/** A feature module that sees the txmq providers only when the testing module is global. */
@Module({ providers: [Accounts] })
class AccountsModule {}

async function createTables(db: Kysely<any>): Promise<void> {
  await sql`create table users (name text primary key)`.execute(db);
  await sql`create table welcomes (name text not null)`.execute(db);
}

async function boot(options: TxmqTestingModuleOptions = {}): Promise<{ app: INestApplicationContext; handle: TxmqTestingHandle; accounts: Accounts }> {
  const moduleRef = await Test.createTestingModule({
    imports: [TxmqTestingModule.forRoot({ isGlobal: true, logger: QUIET, setup: createTables, ...options }), AccountsModule],
  }).compile();
  moduleRef.useLogger(false);
  const app = await moduleRef.init();
  return { app, handle: app.get(TxmqTestingHandle), accounts: app.get(Accounts) };
}

async function names(db: Kysely<any>, table: string): Promise<string[]> {
  const rows = await db.selectFrom(table).select('name').orderBy('name').execute();
  return rows.map((row) => row.name as string);
}

/** Whether a TCP connection to `endpoint` is refused. */
function refused(endpoint: string): Promise<boolean> {
  const [host, port] = endpoint.split(':');
  return new Promise((resolve) => {
    const socket = connect(Number(port), host!);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('TxmqTestingModule', () => {
  it('a @Transactional method that commits delivers its message exactly once to the @OnMessage handler', async () => {
    deliveries.length = 0;
    const { app, handle, accounts } = await boot();
    try {
      await accounts.register('ada');
      await handle.waitUntilConsumed({ topic: 'registered', group: 'welcome' });
      assert.deepEqual(await names(handle.db, 'users'), ['ada']);
      assert.deepEqual(await names(handle.db, 'welcomes'), ['ada'], 'the handler applied it, committed when waitUntilConsumed resolved');
    } finally {
      await app.close();
    }
    assert.deepEqual(deliveries, ['ada:1'], 'one delivery, up to the end of the application');
  });

  it('a @Transactional method that throws after sending delivers nothing', async () => {
    deliveries.length = 0;
    const { app, handle, accounts } = await boot();
    try {
      await assert.rejects(accounts.register('bob', { fail: true }), /registering bob failed/);
      const outbox = await handle.db.selectFrom(`${handle.schema}.outbox`).select('topic').execute();
      assert.deepEqual(outbox, [], 'the send was rolled back with the write');
      await accounts.register('cy');
      await handle.waitUntilConsumed({ topic: 'registered', group: 'welcome' });
      assert.deepEqual(await names(handle.db, 'users'), ['cy']);
      assert.deepEqual(await names(handle.db, 'welcomes'), ['cy']);
    } finally {
      await app.close();
    }
    assert.deepEqual(deliveries, ['cy:1']);
  });

  it('a handler that fails is redelivered, and waitUntilConsumed waits for the attempt that commits', async () => {
    deliveries.length = 0;
    const { app, handle, accounts } = await boot();
    try {
      await accounts.register('flaky-dee');
      await handle.waitUntilConsumed({ topic: 'registered', group: 'welcome' });
      assert.deepEqual(deliveries, ['flaky-dee:1', 'flaky-dee:2']);
      assert.deepEqual(await names(handle.db, 'welcomes'), ['flaky-dee'], 'the failed attempt was rolled back');
    } finally {
      await app.close();
    }
  });

  it('app.close() stops the broker and closes the PGlite database', async () => {
    const { app, handle } = await boot();
    assert.equal(await refused(handle.endpoint), false, 'the broker listens while the app runs');
    await app.close();
    assert.equal(await refused(handle.endpoint), true, 'the broker stopped');
    await assert.rejects(handle.db.selectFrom('users').selectAll().execute(), 'the database was closed');
  });

  it('leaves nothing running: a process that boots, sends, consumes and closes exits by itself', async () => {
    const file = fileURLToPath(new URL('./fixtures/testing-app.js', import.meta.url));
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_BOUND_MS);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
    clearTimeout(timer);
    assert.equal(signal, null, `the process did not exit within ${CHILD_BOUND_MS} ms after app.close(); output:\n${output}`);
    assert.equal(code, 0, output);
    assert.match(output, /^consumed 1$/m);
  });

  it('with a db of its own (Postgres): runs setup on it, delivers through it, and leaves it open at close', async () => {
    deliveries.length = 0;
    const schema = `nest_testing_${randomBytes(6).toString('hex')}`;
    const db = new Kysely<any>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: DATABASE_URL, options: `-c search_path=${schema}` }) }),
    });
    try {
      const setup = async (given: Kysely<any>) => {
        await sql`create schema ${sql.id(schema)}`.execute(given);
        await createTables(given);
      };
      const { app, handle, accounts } = await boot({ db, schema: `${schema}_txmq`, setup });
      try {
        assert.equal(handle.db, db);
        await accounts.register('fay');
        await handle.waitUntilConsumed({ topic: 'registered', group: 'welcome' });
        assert.deepEqual(await names(db, 'welcomes'), ['fay']);
      } finally {
        await app.close();
      }
      assert.equal(await refused(handle.endpoint), true, 'the broker stopped');
      assert.deepEqual(await names(db, 'users'), ['fay'], "the caller's database is still open");
      assert.deepEqual(deliveries, ['fay:1']);
    } finally {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
      await sql`drop schema if exists ${sql.id(`${schema}_txmq`)} cascade`.execute(db);
      await db.destroy();
    }
  });

  it('with a namespace: the outbox messages reach the @OnMessage handler (the relay publishes in the namespace)', async () => {
    deliveries.length = 0;
    const { app, handle, accounts } = await boot({ namespace: 'shop' });
    try {
      await accounts.register('gus');
      await handle.waitUntilConsumed({ topic: 'registered', group: 'welcome' });
      assert.deepEqual(await names(handle.db, 'welcomes'), ['gus']);
    } finally {
      await app.close();
    }
  });

  it('waitUntilConsumed rejects with NotConsumedError naming the messages no handler applies', async () => {
    const { app, handle, accounts } = await boot();
    try {
      await accounts.register('eve');
      await handle.waitUntilConsumed({ topic: 'registered', group: 'welcome' });
      const error = await handle.waitUntilConsumed({ topic: 'registered', group: 'nobody', timeoutMs: 200 }).then(
        () => assert.fail('resolved'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof NotConsumedError, String(error));
      assert.equal(error.code, 'NOT_CONSUMED');
      assert.equal(error.group, 'nobody');
      assert.equal(error.messageIds.length, 1);
    } finally {
      await app.close();
    }
  });

  it('refuses bad options when forRoot is called, naming the option', () => {
    const option = (options: unknown) => {
      try {
        TxmqTestingModule.forRoot(options as TxmqTestingModuleOptions);
      } catch (error) {
        assert.ok(error instanceof InvalidOptionsError, String(error));
        return error.option;
      }
      return assert.fail('accepted');
    };
    assert.equal(option({ endpoints: '127.0.0.1:8081' }), 'endpoints');
    assert.equal(option({ broker: { groups: { g: { maxDeliveryAttempts: 0 } } } }), 'broker');
    assert.equal(option({ setup: 'create tables' }), 'setup');
    assert.equal(option({ relay: 'yes' }), 'relay');
    assert.equal(option({ db: {} }), 'db');
    assert.equal(option({ colour: 'blue' }), 'colour');
  });

  it('gives the groups of @OnMessage handlers, and the declared ones, a short retry backoff', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [DiscoveryModule], providers: [Accounts, { provide: TransactionHost, useValue: null }, { provide: TxmqProducer, useValue: null }] }).compile();
    const groups = onMessageGroups(moduleRef.get(DiscoveryService), moduleRef.get(MetadataScanner));
    assert.deepEqual([...groups], ['welcome']);
    const config = testingBrokerConfig({ groups: { audit: { fifo: true }, slow: { retryBackoff: { maxMs: 5000 } } }, minInvisibleMs: 500 }, groups);
    assert.deepEqual(config, {
      minInvisibleMs: 500,
      pushLongPollingMs: 1000,
      groups: {
        welcome: { retryBackoff: TESTING_RETRY_BACKOFF },
        audit: { fifo: true, retryBackoff: TESTING_RETRY_BACKOFF },
        slow: { retryBackoff: { ...TESTING_RETRY_BACKOFF, maxMs: 5000 } },
      },
    });
    // A client with a namespace consumes as `<namespace>%<group>` on the broker.
    const namespaced = testingBrokerConfig({ groups: { 'shop%audit': { fifo: true } } }, groups, 'shop');
    assert.deepEqual(namespaced.groups, {
      'shop%welcome': { retryBackoff: TESTING_RETRY_BACKOFF },
      'shop%audit': { fifo: true, retryBackoff: TESTING_RETRY_BACKOFF },
    });
  });
});
