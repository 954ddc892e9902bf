import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Inject, Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { startBroker, type RunningBroker } from '@txmq/broker';
import { createSimpleConsumer, createTransactionAdmin, type ReceivedMessage, type TransactionAdmin } from '@txmq/broker/client';
import { createTransactionalSender, decodeBody, InvalidMessageError, isOutboxError, TransactionFencedError, type PendingHalfMessage, type TransactionalSender } from '@txmq/outbox';
import { collectMessages, eventually } from '@txmq/test-support';
import { sql } from 'kysely';
import { OnMessage, TransactionAbortedError, TransactionHost, TransactionNotActiveError, Transactional, TxmqContext, TxmqModule, TxmqProducer, type TxmqModuleOptions, type TxmqSendResult } from '../src/index.js';
import { halfMessageSender } from '../src/half-message-sender.js';
import type { ResolvedOptions } from '../src/options.js';
import { TXMQ_RESOLVED_OPTIONS, TXMQ_TRANSACTIONAL_SENDER } from '../src/tokens.js';
import { FAST_RETRY, testDb, type TestDb } from './helpers.js';

const QUIET = { info: () => undefined, warn: () => undefined, error: () => undefined };
const TOPIC = {
  commit: 'hm-commit',
  rollback: 'hm-rollback',
  nested: 'hm-nested',
  handlerIn: 'hm-handler-in',
  handlerOut: 'hm-handler-out',
  crashCommitted: 'hm-crash-committed',
  crashUncommitted: 'hm-crash-uncommitted',
  direct: 'hm-direct',
  race: 'hm-race',
  fenced: 'hm-fenced',
  savepoint: 'hm-savepoint',
  aborted: 'hm-aborted',
};
const HANDLER_GROUP = 'hm-handler';

let t: TestDb;
let broker: RunningBroker;
let admin: TransactionAdmin;
/** What the handler's after-commit callbacks saw: whether the handler's write was committed. */
const afterHandlerCommit: { attempt: number; committed: boolean }[] = [];

@Injectable()
class Users {
  constructor(
    @Inject(TransactionHost) readonly host: TransactionHost,
    @Inject(TxmqProducer) readonly producer: TxmqProducer,
  ) {}

  /** Registers `id` and sends to `topic`; `whileOpen` runs before the transaction ends. */
  @Transactional()
  async register(id: string, topic: string, options: { fail?: boolean; whileOpen?: (sent: TxmqSendResult) => Promise<void> } = {}): Promise<TxmqSendResult> {
    await this.host.tx.insertInto(t.users).values({ id }).execute();
    const sent = await this.producer.send({ topic, body: { id } });
    await options.whileOpen?.(sent);
    if (options.fail === true) throw new Error(`registering ${id} failed`);
    return sent;
  }

  @Transactional({ propagation: 'requiresNew' })
  async registerAlone(id: string, topic: string): Promise<TxmqSendResult> {
    return this.register(id, topic);
  }

  /** Sends in its own transaction, then in a `requiresNew` one; `whileOpen` runs after the inner one, then this one throws. */
  @Transactional()
  async registerWithAudit(id: string, auditId: string, whileOpen: (inner: TxmqSendResult, outer: TxmqSendResult) => Promise<void>): Promise<void> {
    const outer = await this.register(id, TOPIC.nested);
    const inner = await this.registerAlone(auditId, TOPIC.nested);
    await whileOpen(inner, outer);
    throw new Error('the outer transaction rolls back');
  }

  @OnMessage({ topic: TOPIC.handlerIn, group: HANDLER_GROUP })
  async relayOnward(message: ReceivedMessage, context: TxmqContext): Promise<void> {
    const { id } = decodeBody(message) as { id: string };
    const attempt = context.getDeliveryAttempt();
    await this.host.tx.insertInto(t.users).values({ id: `${id}-${attempt}` }).execute();
    await this.producer.send({ topic: TOPIC.handlerOut, body: { id, attempt } });
    this.host.afterCommit(async () => {
      afterHandlerCommit.push({ attempt, committed: (await t.userIds()).includes(`${id}-${attempt}`) });
    });
    if (attempt < 2) throw new Error(`attempt ${attempt} fails after its send`);
  }
}

@Module({ providers: [Users] })
class UsersModule {}

/** A fresh consumer group reading `topic` from its first message. */
function reader(topic: string) {
  const consumer = createSimpleConsumer({
    endpoints: broker.endpoint,
    group: `hm-reader-${Math.random().toString(36).slice(2, 8)}`,
    subscriptions: { [topic]: '*' },
    awaitMs: 300,
    logger: QUIET,
  });
  return collectMessages(consumer);
}
const idOf = (m: ReceivedMessage) => m.properties['txmq-message-id'];
const bodyOf = (m: ReceivedMessage) => decodeBody(m) as { id: string; attempt?: number };

/** The broker's transaction id of the unsettled half message sent as `messageId`. */
async function halfOf(topic: string, messageId: string): Promise<string | undefined> {
  return (await admin.list({ topic })).find((tx) => tx.properties['txmq-transaction-id'] === messageId)?.transactionId;
}
/** Whether the broker rolled `transactionId` back (asking it to roll back again changes nothing). */
async function rolledBack(transactionId: string): Promise<boolean> {
  return !(await admin.rollback(transactionId)).changed;
}

/** An in-memory broker whose check-backs start `checkImmunityMs` after a half message was sent. */
function startTestBroker(checkImmunityMs: number): Promise<RunningBroker> {
  return startBroker({
    port: 0,
    memory: true,
    logLevel: 'silent',
    config: { minInvisibleMs: 100, pushLongPollingMs: 1000, groups: { [HANDLER_GROUP]: FAST_RETRY }, transaction: { checkImmunityMs, checkIntervalMs: 1000 } },
  });
}

function testingModule(options: Partial<TxmqModuleOptions>, imports: unknown[] = []) {
  const moduleOptions = { endpoints: broker.endpoint, db: t.db, schema: t.schema, delivery: 'half-message', relay: false, logger: QUIET, isGlobal: true, ...options } as const;
  return Test.createTestingModule({ imports: [TxmqModule.forRoot(moduleOptions), ...(imports as never[])] });
}

async function startApp(options: Partial<TxmqModuleOptions>, imports: unknown[] = []): Promise<INestApplicationContext> {
  return (await testingModule(options, imports).compile()).init();
}

/** The module's own sender, except that each half message goes out only once `gate()` resolved: a slow broker. */
function slowSender(sender: TransactionalSender, gate: () => Promise<void>): TransactionalSender {
  return {
    ...sender,
    async sendInTransaction(trx, message) {
      await gate();
      return sender.sendInTransaction(trx, message);
    },
  };
}

/** The ids of the transaction-log rows in `state`. */
async function records(state: 'committed' | 'rolled_back' = 'committed'): Promise<string[]> {
  const { rows } = await sql<{ transaction_id: string }>`
    select transaction_id from ${sql.table(`${t.schema}.transaction_log`)} where state = ${state} order by 1`.execute(t.db);
  return rows.map((row) => row.transaction_id);
}

/**
 * Runs `fn` while a record of a commit waits for a lock `fn` releases with `release()` once the
 * broker's check-back has fenced the transaction (written its 'rolled_back' row) first.
 */
async function withRecordsHeld<T>(fn: (release: () => void) => Promise<T>): Promise<T> {
  const log = sql.table(`${t.schema}.transaction_log`);
  const hold = sql.table(`${t.schema}.hold_commit_records`);
  await sql`
    create or replace function ${hold}() returns trigger language plpgsql as $$
    begin
      if new.state = 'committed' then perform pg_advisory_xact_lock(hashtext('hm-fenced')); end if;
      return new;
    end $$`.execute(t.db);
  await sql`create trigger hold before insert on ${log} for each row execute function ${hold}()`.execute(t.db);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const lockTaken = new Promise<void>((resolve) => (locked = resolve));
  const blocker = t.db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('hm-fenced'))`.execute(trx);
    locked();
    await released;
  });
  try {
    await lockTaken;
    return await fn(release);
  } finally {
    release();
    await blocker;
    await sql`drop trigger hold on ${log}`.execute(t.db);
  }
}

before(async () => {
  t = await testDb();
});
after(async () => {
  await t?.close();
});

describe("delivery: 'half-message'", () => {
  let app: INestApplicationContext;
  let users: Users;

  before(async () => {
    // No check-back within these tests: whatever is settled, the module settled after the transaction.
    broker = await startTestBroker(600_000);
    admin = createTransactionAdmin({ endpoints: broker.endpoint });
    app = await startApp({ transactionalTopics: [TOPIC.commit] }, [UsersModule]);
    users = app.get(Users);
  });
  after(async () => {
    await app?.close();
    await admin?.close();
    await broker?.close();
  });

  it('a commit delivers the message exactly once, and only after the local commit', async () => {
    const r = reader(TOPIC.commit);
    try {
      const sent = await users.register('hm-commit', TOPIC.commit, {
        whileOpen: async ({ messageId, via }) => {
          assert.equal(via, 'half-message');
          assert.ok(await halfOf(TOPIC.commit, messageId), 'the broker holds a half message');
          assert.deepEqual(await r.poll(), [], 'nothing is visible while the transaction is open');
        },
      });
      assert.equal(await halfOf(TOPIC.commit, sent.messageId), undefined, 'committed when the transaction call returned');
      const received = await r.drain((all) => all.length >= 1);
      assert.deepEqual(received.map(idOf), [sent.messageId]);
      assert.deepEqual(bodyOf(received[0]!), { id: 'hm-commit' });
      assert.ok((await t.userIds()).includes('hm-commit'));
    } finally {
      await r.close();
    }
  });

  it('a body that throws delivers nothing and rolls the half message back', async () => {
    let transactionId: string | undefined;
    await assert.rejects(
      users.register('hm-rollback', TOPIC.rollback, {
        fail: true,
        whileOpen: async ({ messageId }) => {
          transactionId = await halfOf(TOPIC.rollback, messageId);
        },
      }),
      /registering hm-rollback failed/,
    );
    assert.ok(transactionId !== undefined && (await rolledBack(transactionId)));
    assert.ok(!(await t.userIds()).includes('hm-rollback'));
    const marker = await users.register('hm-rollback-marker', TOPIC.rollback);
    const r = reader(TOPIC.rollback);
    try {
      assert.deepEqual((await r.drain((all) => all.some((m) => idOf(m) === marker.messageId))).map(idOf), [marker.messageId]);
    } finally {
      await r.close();
    }
  });

  it('a send in a requiresNew transaction commits with it, while the outer one rolls back', async () => {
    const r = reader(TOPIC.nested);
    try {
      let outerTransaction: string | undefined;
      let inner: TxmqSendResult | undefined;
      await assert.rejects(
        users.registerWithAudit('hm-outer', 'hm-audit', async (innerSent, outerSent) => {
          inner = innerSent;
          assert.equal(await halfOf(TOPIC.nested, innerSent.messageId), undefined, 'committed when the inner call returned');
          outerTransaction = await halfOf(TOPIC.nested, outerSent.messageId);
          const received = await r.drain((all) => all.length >= 1);
          assert.deepEqual(received.map(idOf), [innerSent.messageId], 'the inner one is delivered while the outer one is open');
        }),
        /the outer transaction rolls back/,
      );
      assert.ok(outerTransaction !== undefined && (await rolledBack(outerTransaction)), "the outer transaction's half message is rolled back");
      const marker = await users.register('hm-nested-marker', TOPIC.nested);
      const received = await r.drain((all) => all.some((m) => idOf(m) === marker.messageId));
      assert.deepEqual(received.map(idOf), [inner!.messageId, marker.messageId]);
      const ids = await t.userIds();
      assert.ok(ids.includes('hm-audit') && !ids.includes('hm-outer'));
    } finally {
      await r.close();
    }
  });

  it("a send in an @OnMessage handler commits with the handler's inbox transaction", async () => {
    const r = reader(TOPIC.handlerOut);
    try {
      await users.producer.send({ topic: TOPIC.handlerIn, body: { id: 'hm-handler' } });
      const received = await r.drain((all) => all.length >= 1);
      assert.deepEqual(received.map(bodyOf), [{ id: 'hm-handler', attempt: 2 }], 'the send of the failed first attempt rolled back');
      const ids = await t.userIds();
      assert.ok(ids.includes('hm-handler-2') && !ids.includes('hm-handler-1'));
      // The after-commit callback runs concurrently with the half message's commit, so it may still be reading.
      await eventually('the after-commit callback', () => afterHandlerCommit.length > 0);
      assert.deepEqual(afterHandlerCommit, [{ attempt: 2, committed: true }], 'after-commit work runs after the inbox commit, and only then');
    } finally {
      await r.close();
    }
  });

  it('a send still in flight when a sibling in Promise.all fails is waited for and rolled back with the transaction', async () => {
    let gate: Promise<void> = Promise.resolve();
    const moduleRef = await testingModule({})
      .overrideProvider(TXMQ_TRANSACTIONAL_SENDER)
      .useFactory({ inject: [TXMQ_RESOLVED_OPTIONS], factory: (options: ResolvedOptions) => slowSender(halfMessageSender(options)!, () => gate) })
      .compile();
    const slow = await moduleRef.init();
    const r = reader(TOPIC.race);
    try {
      const host: TransactionHost = slow.get(TransactionHost);
      const producer = slow.get(TxmqProducer);
      await t.db.insertInto(t.users).values({ id: 'hm-race-taken' }).execute();
      const siblings: [string, () => Promise<unknown>, RegExp][] = [
        // The insert fails in the database, aborting the transaction, while the send waits for the broker.
        ['a failing insert', () => host.tx.insertInto(t.users).values({ id: 'hm-race-taken' }).execute(), /duplicate key/],
        ['a failing call', () => Promise.reject(new Error('the call failed')), /the call failed/],
      ];
      for (const [what, failing, error] of siblings) {
        let open!: () => void;
        gate = new Promise<void>((resolve) => (open = resolve));
        const recordsBefore = await records();
        let sendSettled = false;
        await assert.rejects(
          host.withTransaction(async () => {
            await Promise.all([producer.send({ topic: TOPIC.race, body: what }).finally(() => (sendSettled = true)), failing().finally(open)]);
          }),
          error,
        );
        assert.ok(sendSettled, `${what}: the transaction ended only after the send had settled`);
        assert.deepEqual(await admin.list({ topic: TOPIC.race }), [], `${what}: the half message was settled`);
        assert.deepEqual(await records(), recordsBefore, `${what}: no record of a commit`);
      }
      gate = Promise.resolve();
      const marker = await host.withTransaction(() => producer.send({ topic: TOPIC.race, body: 'marker' }));
      assert.deepEqual((await r.drain((all) => all.some((m) => idOf(m) === marker.messageId))).map(idOf), [marker.messageId]);
    } finally {
      await r.close();
      await slow.close();
    }
  });

  it('a rollback to savepoint after a send rolls its half message back, and the commit delivers the others', async () => {
    const r = reader(TOPIC.savepoint);
    try {
      let undone: string | undefined;
      const kept = await users.host.withTransaction(async () => {
        const sent = await users.producer.send({ topic: TOPIC.savepoint, body: 'kept' });
        await sql`savepoint before_undone`.execute(users.host.tx);
        const undoneSend = await users.producer.send({ topic: TOPIC.savepoint, body: 'undone' });
        undone = await halfOf(TOPIC.savepoint, undoneSend.messageId);
        await sql`rollback to savepoint before_undone`.execute(users.host.tx);
        return sent;
      });
      assert.ok(undone !== undefined && (await rolledBack(undone)), 'the half message sent after the savepoint is rolled back');
      assert.deepEqual((await r.drain((all) => all.length >= 1)).map(idOf), [kept.messageId]);
    } finally {
      await r.close();
    }
  });

  it('a transaction an earlier caught error aborted fails with TransactionAbortedError and rolls its half message back', async () => {
    let transactionId: string | undefined;
    await assert.rejects(
      users.host.withTransaction(async () => {
        await users.host.tx.insertInto(t.users).values({ id: 'hm-aborted' }).execute();
        const sent = await users.producer.send({ topic: TOPIC.aborted, body: 'aborted' });
        transactionId = await halfOf(TOPIC.aborted, sent.messageId);
        await sql`select 1 / 0`.execute(users.host.tx).catch(() => undefined);
      }),
      (error: unknown) => error instanceof TransactionAbortedError && (error.cause as { code?: string }).code === '25P02',
    );
    assert.ok(transactionId !== undefined && (await rolledBack(transactionId)));
    assert.ok(!(await t.userIds()).includes('hm-aborted'));
  });

  it('a send by work the body left running, once the transaction has ended, throws TransactionNotActiveError', async () => {
    let late: Promise<unknown> | undefined;
    await users.host.withTransaction(async () => {
      late = new Promise<void>((resolve) => setImmediate(resolve)).then(() => users.producer.send({ topic: TOPIC.direct, body: 'late' })).then(
        (sent) => sent,
        (error: unknown) => error,
      );
    });
    const error = await late;
    assert.ok(error instanceof TransactionNotActiveError && /TxmqProducer\.send\(\).*has ended/.test(error.message), String(error));
  });

  it('outside a transaction a send is published directly; a half message refuses messageGroup and deliverAt', async () => {
    const r = reader(TOPIC.direct);
    try {
      const sent = await users.producer.send({ topic: TOPIC.direct, body: 'direct' });
      assert.equal(sent.via, 'broker');
      assert.deepEqual((await r.drain((all) => all.length >= 1)).map(idOf), [sent.messageId]);
    } finally {
      await r.close();
    }
    for (const [patch, field] of [
      [{ messageGroup: 'g' }, 'message.messageGroup'],
      [{ deliverAt: new Date() }, 'message.deliverAt'],
    ] as const) {
      await assert.rejects(
        users.host.withTransaction(() => users.producer.send({ topic: TOPIC.direct, body: 'x', ...patch })),
        (error: unknown) => error instanceof InvalidMessageError && error.field === field,
      );
    }
  });
});

describe("delivery: 'half-message' after a crash", () => {
  let app: INestApplicationContext;

  before(async () => {
    broker = await startTestBroker(300);
    admin = createTransactionAdmin({ endpoints: broker.endpoint });
    // The crash topics are not the first: every listed topic gets the check-backs.
    app = await startApp({ transactionalTopics: ['hm-other', TOPIC.crashCommitted, TOPIC.crashUncommitted], consumers: false });
  });
  after(async () => {
    await app?.close();
    await admin?.close();
    await broker?.close();
  });

  it('a transaction that committed but whose process died before the half-message commit is delivered by the check-back', async () => {
    // Another instance: it commits its local transaction, then dies before settling the half message.
    const crashed = createTransactionalSender({ db: t.db, schema: t.schema, endpoints: broker.endpoint, logger: QUIET });
    const pending = await t.db.transaction().execute(async (trx) => {
      await trx.insertInto(t.users).values({ id: 'hm-crash-committed' }).execute();
      return crashed.sendInTransaction(trx, { topic: TOPIC.crashCommitted, body: { id: 'hm-crash-committed' } });
    });
    await crashed.close();
    const r = reader(TOPIC.crashCommitted);
    try {
      // This application's sender answers the broker's check-back from the transaction log.
      const received = await r.drain((all) => all.length >= 1);
      assert.deepEqual(received.map(idOf), [pending.messageId]);
    } finally {
      await r.close();
    }
  });

  it('a transaction that never committed is rolled back by the check-back, and nothing is delivered', async () => {
    const crashed = createTransactionalSender({ db: t.db, schema: t.schema, endpoints: broker.endpoint, logger: QUIET });
    let pending: PendingHalfMessage | undefined;
    await assert.rejects(
      t.db.transaction().execute(async (trx) => {
        await trx.insertInto(t.users).values({ id: 'hm-crash-uncommitted' }).execute();
        pending = await crashed.sendInTransaction(trx, { topic: TOPIC.crashUncommitted, body: { id: 'hm-crash-uncommitted' } });
        await crashed.close();
        throw new Error('the process died');
      }),
      /the process died/,
    );
    await eventually('the check-back settled it', async () => (await halfOf(TOPIC.crashUncommitted, pending!.messageId)) === undefined);
    assert.ok(await rolledBack(pending!.transactionId));
    const { rows } = await sql<{ state: string }>`
      select state from ${sql.table(`${t.schema}.transaction_log`)} where transaction_id = ${pending!.messageId}`.execute(t.db);
    assert.deepEqual(rows, [{ state: 'rolled_back' }], 'the check-back fenced the transaction');
    const marker = await app.get(TransactionHost).withTransaction(() => app.get(TxmqProducer).send({ topic: TOPIC.crashUncommitted, body: 'marker' }));
    const r = reader(TOPIC.crashUncommitted);
    try {
      assert.deepEqual((await r.drain((all) => all.some((m) => idOf(m) === marker.messageId))).map(idOf), [marker.messageId]);
    } finally {
      await r.close();
    }
  });

  it('a send the check-back fenced fails with TransactionFencedError; when the body catches it, the transaction fails with TransactionAbortedError', async () => {
    const host: TransactionHost = app.get(TransactionHost);
    const producer = app.get(TxmqProducer);
    for (const caught of [false, true]) {
      const id = `hm-fenced-${caught ? 'caught' : 'thrown'}`;
      let seen: unknown;
      const outcome = await withRecordsHeld(async (release) => {
        const fencesBefore = (await records('rolled_back')).length;
        const transaction = host.withTransaction(async () => {
          await host.tx.insertInto(t.users).values({ id }).execute();
          const sent = producer.send({ topic: TOPIC.fenced, body: id });
          if (!caught) return sent;
          await sent.catch((error: unknown) => (seen = error));
          return 'the error was caught';
        });
        const settled = transaction.then((value) => ({ value }), (error: unknown) => ({ error }));
        await eventually('the check-back fenced the transaction', async () => (await records('rolled_back')).length > fencesBefore);
        release();
        return settled;
      });
      if (caught) {
        assert.ok(seen instanceof TransactionFencedError, String(seen));
        assert.ok('error' in outcome && outcome.error instanceof TransactionAbortedError, `the transaction reports its rollback, got ${JSON.stringify(outcome)}`);
      } else {
        assert.ok('error' in outcome && outcome.error instanceof TransactionFencedError, String('error' in outcome ? outcome.error : outcome.value));
      }
      assert.ok(!(await t.userIds()).includes(id), 'the transaction rolled back');
    }
    assert.deepEqual(await admin.list({ topic: TOPIC.fenced }), [], 'the half messages were rolled back');
    const marker = await host.withTransaction(() => producer.send({ topic: TOPIC.fenced, body: 'marker' }));
    const r = reader(TOPIC.fenced);
    try {
      assert.deepEqual((await r.drain((all) => all.some((m) => idOf(m) === marker.messageId))).map(idOf), [marker.messageId]);
    } finally {
      await r.close();
    }
  });
});

describe('half-message options', () => {
  const badOptions: [string, Record<string, unknown>][] = [
    ['delivery', { delivery: 'carrier-pigeon' }],
    ['transactionalTopics', { delivery: 'half-message', transactionalTopics: 'orders' }],
    ['transactionalTopics[1]', { delivery: 'half-message', transactionalTopics: ['orders', 'not a topic'] }],
    ['transactionalTopics[0]', { delivery: 'half-message', transactionalTopics: [42] }],
    ['transactionalTopics', { transactionalTopics: ['orders'] }],
  ];
  for (const [option, patch] of badOptions) {
    it(`${JSON.stringify(patch)} fails when the module is created, naming ${option}`, async () => {
      const options = { endpoints: '127.0.0.1:9', db: { transaction() {} }, ...patch } as unknown as TxmqModuleOptions;
      await assert.rejects(Test.createTestingModule({ imports: [TxmqModule.forRoot(options)] }).compile(), (error: unknown) => {
        assert.ok(isOutboxError(error, 'INVALID_OPTIONS'), String(error));
        assert.equal((error as { option?: string }).option, option);
        return true;
      });
    });
  }
});
