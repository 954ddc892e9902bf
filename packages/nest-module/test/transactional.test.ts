import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Inject, Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import type { Outbox } from '@txmq/outbox';
import {
  NoTransactionHostError,
  Transactional,
  TransactionAlreadyActiveError,
  TransactionHost,
  TransactionNotActiveError,
  TXMQ_OUTBOX,
  TxmqModule,
  TxmqProducer,
} from '../src/index.js';
import { testDb, type TestDb } from './helpers.js';

/** Unreachable on purpose: these tests never talk to a broker (relay off, every send in a transaction). */
const NO_BROKER = '127.0.0.1:9';

let t: TestDb;

@Injectable()
class Users {
  constructor(
    @Inject(TransactionHost) readonly host: TransactionHost,
    @Inject(TxmqProducer) readonly producer: TxmqProducer,
  ) {}

  @Transactional()
  async register(id: string, options: { fail?: boolean } = {}): Promise<string> {
    await this.host.tx.insertInto(t.users).values({ id }).execute();
    const { messageId } = await this.producer.send({ topic: 'user-registered', body: { id } });
    if (options.fail === true) throw new Error(`registering ${id} failed`);
    return messageId;
  }

  @Transactional()
  async registerBoth(first: string, second: string, options: { failAfter?: boolean } = {}): Promise<boolean> {
    await this.register(first);
    await this.register(second);
    const joined = this.host.isTransactionActive();
    if (options.failAfter === true) throw new Error('outer failed');
    return joined;
  }

  @Transactional({ propagation: 'requiresNew' })
  async registerAlone(id: string): Promise<void> {
    await this.host.tx.insertInto(t.users).values({ id }).execute();
  }

  @Transactional()
  async registerWithAudit(id: string, audit: string): Promise<void> {
    await this.host.tx.insertInto(t.users).values({ id }).execute();
    await this.registerAlone(audit);
    throw new Error('outer rolls back, the requiresNew one stays');
  }

  @Transactional({ propagation: 'mandatory' })
  async mustJoin(): Promise<boolean> {
    return this.host.isTransactionActive();
  }

  @Transactional({ propagation: 'never' })
  async outside(): Promise<boolean> {
    return this.host.isTransactionActive();
  }
}

@Module({ providers: [Users] })
class UsersModule {}

describe('@Transactional and TxmqProducer (outbox delivery)', () => {
  let moduleRef: TestingModule;
  let users: Users;
  let host: TransactionHost;
  let outbox: Outbox;

  before(async () => {
    t = await testDb();
    moduleRef = await Test.createTestingModule({
      imports: [TxmqModule.forRoot({ endpoints: NO_BROKER, db: t.db, schema: t.schema, relay: false, isGlobal: true }), UsersModule],
    }).compile();
    await moduleRef.init();
    users = moduleRef.get(Users);
    host = moduleRef.get(TransactionHost);
    outbox = moduleRef.get<Outbox>(TXMQ_OUTBOX);
  });

  after(async () => {
    await moduleRef?.close();
    await t?.close();
  });

  const pending = async () => (await outbox.stats()).pending;

  it('commits the row and exactly one outbox message together', async () => {
    const before = await pending();
    const messageId = await users.register('commit-1');
    assert.match(messageId, /^[0-9a-f-]{36}$/);
    assert.ok((await t.userIds()).includes('commit-1'));
    assert.equal(await pending(), before + 1);
  });

  it('a throw rolls back both the row and the outbox message', async () => {
    const before = await pending();
    await assert.rejects(users.register('rollback-1', { fail: true }), /registering rollback-1 failed/);
    assert.ok(!(await t.userIds()).includes('rollback-1'));
    assert.equal(await pending(), before);
  });

  it('nested calls join the outer transaction, and roll back with it', async () => {
    const before = await pending();
    assert.equal(await users.registerBoth('nest-a', 'nest-b'), true);
    assert.equal(await pending(), before + 2);
    await assert.rejects(users.registerBoth('nest-c', 'nest-d', { failAfter: true }), /outer failed/);
    const ids = await t.userIds();
    assert.ok(ids.includes('nest-a') && ids.includes('nest-b'));
    assert.ok(!ids.includes('nest-c') && !ids.includes('nest-d'), 'the inner calls joined the rolled-back transaction');
    assert.equal(await pending(), before + 2);
  });

  it("requiresNew commits on its own even when the caller's transaction rolls back", async () => {
    await assert.rejects(users.registerWithAudit('outer-1', 'audit-1'), /outer rolls back/);
    const ids = await t.userIds();
    assert.ok(ids.includes('audit-1'));
    assert.ok(!ids.includes('outer-1'));
  });

  it('mandatory throws a clear error outside a transaction and joins inside one', async () => {
    await assert.rejects(users.mustJoin(), (error: unknown) => {
      assert.ok(error instanceof TransactionNotActiveError);
      assert.equal(error.code, 'TRANSACTION_NOT_ACTIVE');
      assert.match(error.message, /Users\.mustJoin requires an active transaction/);
      return true;
    });
    assert.equal(await host.withTransaction(() => users.mustJoin()), true);
  });

  it('never refuses to run inside a transaction', async () => {
    assert.equal(await users.outside(), false);
    await assert.rejects(host.withTransaction(() => users.outside()), TransactionAlreadyActiveError);
  });

  it('TransactionHost outside a transaction gives the plain db', async () => {
    assert.equal(host.isTransactionActive(), false);
    assert.equal(host.tx, t.db);
    await host.withTransaction(async () => {
      assert.equal(host.isTransactionActive(), true);
      assert.notEqual(host.tx, t.db);
      assert.equal(host.tx.isTransaction, true);
    });
  });

  it('a message sent in a transaction becomes visible only when it commits', async () => {
    const before = await pending();
    const producer = moduleRef.get(TxmqProducer);
    let seenInside = -1;
    const result = await host.withTransaction(async () => {
      const sent = await producer.send({ topic: 'user-registered', body: { id: 'visible-1' }, keys: ['visible-1'] });
      seenInside = await pending(); // read on another connection: the row is not committed yet
      return sent;
    });
    assert.equal(result.via, 'outbox');
    assert.equal(seenInside, before);
    assert.equal(await pending(), before + 1);
  });

  it('a method of an object Nest did not create uses the only running module', async () => {
    const plain = new Users(host, moduleRef.get(TxmqProducer));
    await plain.register('plain-1');
    assert.ok((await t.userIds()).includes('plain-1'));
  });

  it('after the module is closed, a @Transactional method says why it cannot run', async () => {
    const other = await Test.createTestingModule({
      imports: [TxmqModule.forRoot({ endpoints: NO_BROKER, db: t.db, schema: t.schema, relay: false, migrate: false, isGlobal: true }), UsersModule],
    }).compile();
    await other.init();
    const otherUsers = other.get(Users);
    await other.close();
    await assert.rejects(otherUsers.register('closed-1'), (error: unknown) => {
      assert.ok(error instanceof NoTransactionHostError);
      assert.match(error.message, /Users\.register: its application has been closed/);
      return true;
    });
  });
});
