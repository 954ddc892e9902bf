import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Inject, Injectable, Module, type CanActivate, type ExecutionContext, type INestApplicationContext } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { RunningBroker } from '@txmq/broker';
import { createProducer, createSimpleConsumer, type ReceivedMessage } from '@txmq/broker/client';
import { createOutbox, decodeBody, type Relay } from '@txmq/outbox';
import { eventually } from '@txmq/test-support';
import { sql, type KyselyPlugin, type RootOperationNode } from 'kysely';
import { NonRetryableError, OnMessage, TransactionHost, Transactional, TxmqConsumerStats, TxmqContext, TxmqModule, TxmqProducer, TXMQ_OUTBOX } from '../src/index.js';
import { TxmqConsumers } from '../src/consumers/txmq-consumers.js';
import { CATCH_UP_POLL_MS } from '../src/shutdown/relay-catch-up.js';
import { TXMQ_CLOCK, TXMQ_RELAY } from '../src/tokens.js';
import { ManualClock } from './manual-clock.js';
import { connectionCounter, startFastBroker, testDb, type TestDb } from './helpers.js';

type Broker = RunningBroker;
const JSON_BODY = { 'txmq-content-type': 'application/json' };
const QUIET = { info: () => undefined, warn: () => undefined, error: () => undefined };

let t: TestDb;
let broker: Broker;
/** `<app schema>.effects (id, attempt)`: what handlers apply; no key, so a double apply shows. */
let effects: string;
/** Calls of each handler by message id. */
const calls = new Map<string, number>();
/** What the global guard was asked about, by context type. */
const guarded: string[] = [];

function called(message: ReceivedMessage): void {
  const id = (decodeBody(message) as { id: string }).id;
  calls.set(id, (calls.get(id) ?? 0) + 1);
}
function body(message: ReceivedMessage): { id: string; fail?: boolean } {
  return decodeBody(message) as { id: string; fail?: boolean };
}
async function effectsOf(id: string): Promise<number[]> {
  const rows = await t.db.selectFrom(effects).select('attempt').where('id', '=', id).execute();
  return rows.map((r) => r.attempt as number);
}

@Injectable()
class Handlers {
  constructor(
    @Inject(TransactionHost) readonly host: TransactionHost,
    @Inject(TxmqProducer) readonly producer: TxmqProducer,
  ) {}

  async #apply(message: ReceivedMessage, context: TxmqContext): Promise<void> {
    called(message);
    assert.ok(this.host.isTransactionActive(), 'the handler runs in the inbox transaction');
    await this.host.tx.insertInto(effects).values({ id: body(message).id, attempt: context.getDeliveryAttempt() }).execute();
  }

  @Transactional()
  async register(id: string, options: { fail?: boolean } = {}): Promise<void> {
    await this.host.tx.insertInto(t.users).values({ id }).execute();
    await this.producer.send({ topic: 'nest-registered', body: { id } });
    if (options.fail === true) throw new Error(`registering ${id} failed`);
  }

  @OnMessage({ topic: 'nest-registered', group: 'g-once' })
  async onRegistered(message: ReceivedMessage, context: TxmqContext): Promise<void> {
    assert.ok(context instanceof TxmqContext);
    await this.#apply(message, context);
  }

  @OnMessage({ topic: 'nest-flaky', group: 'g-retry' })
  async flaky(message: ReceivedMessage, context: TxmqContext): Promise<void> {
    await this.#apply(message, context);
    if (context.getDeliveryAttempt() < 3) throw new Error(`attempt ${context.getDeliveryAttempt()} fails`);
  }

  @OnMessage({ topic: 'nest-dup', group: 'g-dup', concurrency: 1 })
  async dup(message: ReceivedMessage, context: TxmqContext): Promise<void> {
    await this.#apply(message, context);
  }

  @OnMessage({ topic: 'nest-always-fails', group: 'g-dlq', maxAttempts: 2 })
  async alwaysFails(message: ReceivedMessage, context: TxmqContext): Promise<void> {
    await this.#apply(message, context);
    throw new Error('never works');
  }

  @OnMessage({ topic: 'nest-poison', group: 'g-poison' })
  async poison(message: ReceivedMessage, context: TxmqContext): Promise<void> {
    await this.#apply(message, context);
    throw new NonRetryableError('cannot be processed');
  }

  @OnMessage({ topic: 'nest-chain', group: 'g-chain' })
  async chain(message: ReceivedMessage, context: TxmqContext): Promise<void> {
    await this.#apply(message, context);
    const { id, fail } = body(message);
    await this.producer.send({ topic: 'nest-chained', body: { id } });
    if (fail === true) throw new NonRetryableError('fails after its send');
  }

  @OnMessage({ topic: 'nest-chained', group: 'g-chained' })
  async chained(message: ReceivedMessage, context: TxmqContext): Promise<void> {
    await this.#apply(message, context);
  }
}

/** A global guard that refuses all HTTP traffic and lets the rest through. */
@Injectable()
class HttpOnlyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    guarded.push(context.getType());
    return context.getType() !== 'http';
  }
}

@Module({ providers: [Handlers, { provide: APP_GUARD, useClass: HttpOnlyGuard }] })
class HandlersModule {}

function moduleOptions() {
  return { endpoints: broker.endpoint, db: t.db, schema: t.schema, relay: { pollIntervalMs: 50 }, logger: QUIET, isGlobal: true };
}

async function deadLetters(group: string): Promise<ReceivedMessage[]> {
  const reader = createSimpleConsumer({ endpoints: broker.endpoint, group: `${group}-reader`, subscriptions: { [`%DLQ%${group}`]: '*' }, awaitMs: 1000, logger: QUIET });
  try {
    return await reader.receive(16);
  } finally {
    await reader.close();
  }
}

before(async () => {
    broker = await startFastBroker(['g-retry', 'g-dlq', 'g-poison', 'g-chain', 'g-stuck']);
});
after(async () => {
  await broker?.close();
});

describe('@OnMessage consumers', () => {
  let app: INestApplicationContext;
  let handlers: Handlers;

  before(async () => {
    t = await testDb();
    effects = `${t.schema}_app.effects`;
    await sql`create table ${sql.raw(effects)} (id text not null, attempt int not null)`.execute(t.db);
    const moduleRef = await Test.createTestingModule({ imports: [TxmqModule.forRoot(moduleOptions()), HandlersModule] }).compile();
    app = await moduleRef.init();
    handlers = app.get(Handlers);
  });
  after(async () => {
    await app?.close();
    await t?.close();
  });

  it('a @Transactional method that commits delivers exactly once; a global HTTP guard does not block it', async () => {
    await handlers.register('committed');
    assert.deepEqual(await eventually('the handler applied it', async () => ((await effectsOf('committed')).length > 0 ? effectsOf('committed') : undefined)), [1]);
    assert.equal(calls.get('committed'), 1);
    assert.ok(guarded.includes('txmq'), 'the global guard saw the message as txmq');
    assert.ok(!guarded.includes('http'));
  });

  it('a @Transactional method that throws after send delivers nothing', async () => {
    await assert.rejects(handlers.register('rolled-back', { fail: true }), /registering rolled-back failed/);
    await handlers.register('after-rollback');
    await eventually('the next message', async () => (await effectsOf('after-rollback')).length === 1);
    assert.deepEqual(await effectsOf('rolled-back'), []);
    assert.equal(calls.get('rolled-back'), undefined);
    assert.deepEqual(await t.userIds().then((ids) => ids.filter((id) => id === 'rolled-back')), []);
  });

  it('a handler that fails twice then succeeds has its effect applied once, at attempt 3', async () => {
    await handlers.producer.send({ topic: 'nest-flaky', body: { id: 'flaky' } });
    await eventually('the third attempt', () => calls.get('flaky') === 3);
    assert.deepEqual(await eventually('its commit', async () => ((await effectsOf('flaky')).length > 0 ? effectsOf('flaky') : undefined)), [3]);
  });

  it('the same txmq-message-id delivered twice is applied once', async () => {
    const producer = createProducer({ endpoints: broker.endpoint, logger: QUIET });
    try {
      for (let i = 0; i < 2; i++) {
        await producer.send({ topic: 'nest-dup', body: JSON.stringify({ id: 'dup' }), properties: { 'txmq-message-id': 'dup-message-id', ...JSON_BODY } });
      }
      await producer.send({ topic: 'nest-dup', body: JSON.stringify({ id: 'dup-marker' }), properties: { 'txmq-message-id': 'dup-marker-id', ...JSON_BODY } });
    } finally {
      await producer.close();
    }
    // concurrency 1: the marker, sent last, is handled after both copies.
    await eventually('the marker', async () => (await effectsOf('dup-marker')).length === 1);
    assert.deepEqual(await effectsOf('dup'), [1]);
    assert.equal(calls.get('dup'), 1);
  });

  it('a handler that always fails ends in %DLQ%<group> after maxAttempts', async () => {
    const { messageId } = await handlers.producer.send({ topic: 'nest-always-fails', body: { id: 'always' } });
    const dead = await eventually('the dead letter', async () => (await deadLetters('g-dlq')).find((m) => m.properties['txmq-message-id'] === messageId));
    assert.equal(body(dead).id, 'always');
    assert.equal(calls.get('always'), 2);
    assert.deepEqual(await effectsOf('always'), [], 'every attempt rolled back');
  });

  it('a NonRetryableError sends the message to %DLQ%<group> at once', async () => {
    const { messageId } = await handlers.producer.send({ topic: 'nest-poison', body: { id: 'poison' } });
    const dead = await eventually('the dead letter', async () => (await deadLetters('g-poison')).find((m) => m.properties['txmq-message-id'] === messageId));
    assert.equal(dead.properties['txmq-message-id'], messageId);
    assert.equal(calls.get('poison'), 1);
    assert.deepEqual(await effectsOf('poison'), []);
  });

  it("a send made inside a handler commits with the handler's writes or not at all", async () => {
    const failed = await handlers.producer.send({ topic: 'nest-chain', body: { id: 'chain-fails', fail: true } });
    await eventually('the failed one dead-lettered', async () => (await deadLetters('g-chain')).some((m) => m.properties['txmq-message-id'] === failed.messageId));
    await handlers.producer.send({ topic: 'nest-chain', body: { id: 'chain-ok' } });
    // Calls are counted when a handler starts; wait for both commits.
    await eventually('the chained send delivered and applied', async () => (await effectsOf('chain-ok')).length === 2);
    assert.equal(calls.get('chain-ok'), 2);
    assert.deepEqual(await effectsOf('chain-ok'), [1, 1], "the handler's write and the chained message's handler");
    assert.deepEqual(await effectsOf('chain-fails'), []);
    assert.equal(calls.get('chain-fails'), 1, 'its send was rolled back with it, never delivered');
  });
});

describe('@OnMessage lifecycle', () => {
  let db: TestDb;

  before(async () => {
    db = await testDb();
  });
  after(async () => {
    await db?.close();
  });

  it('app.close() during a slow handler waits for it to commit, then for the relay to claim what it sent, and the relay publishes it and stops', async () => {
    const clock = new ManualClock(Date.now());
    const events: string[] = [];
    let started = false;
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const group = 'slow-order';
    @Injectable()
    class Slow {
      constructor(
        @Inject(TransactionHost) readonly host: TransactionHost,
        @Inject(TxmqProducer) readonly producer: TxmqProducer,
      ) {}

      @OnMessage({ topic: 'nest-slow', group: 'g-slow' })
      async handle(message: ReceivedMessage): Promise<void> {
        started = true;
        await this.host.tx.insertInto(db.users).values({ id: body(message).id }).execute();
        await this.producer.send({ topic: 'nest-slow-done', body: { id: 'slow' }, messageGroup: group });
        await released;
        events.push('handler returned');
      }
    }
    // The relay cannot claim the handler's row until the test lets it: an earlier row of its
    // message group, committed before the application starts, is locked by the test.
    const outbox = createOutbox({ db: db.db, schema: db.schema, notify: false });
    await outbox.migrate();
    await db.db.transaction().execute((trx) => outbox.send(trx, { topic: 'nest-slow-done', body: { id: 'head' }, messageGroup: group }));
    let unlock: () => void = () => undefined;
    const unlocked = new Promise<void>((resolve) => (unlock = resolve));
    let locked: () => void = () => undefined;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const lock = db.db.transaction().execute(async (trx) => {
      await sql`select id from ${sql.table(`${db.schema}.outbox`)} where message_group = ${group} for update`.execute(trx);
      locked();
      await unlocked;
    });
    await isLocked;
    // The module's queries, seen as they return: the shutdown's outbox mark is the one that reads a snapshot.
    const marks = new Set<unknown>();
    const observer: KyselyPlugin = {
      transformQuery: ({ node, queryId }) => {
        if (isSnapshotRead(node)) marks.add(queryId);
        return node;
      },
      transformResult: async ({ result, queryId }) => {
        if (marks.has(queryId)) events.push('outbox marked');
        return result;
      },
    };
    try {
      const moduleRef = await Test.createTestingModule({
        imports: [TxmqModule.forRoot({ endpoints: broker.endpoint, db: db.db.withPlugin(observer), schema: db.schema, relay: { pollIntervalMs: 50 }, logger: QUIET })],
        providers: [Slow],
      })
        .overrideProvider(TXMQ_CLOCK)
        .useValue(clock)
        .compile();
      const app = await moduleRef.init();
      const consumers = app.get(TxmqConsumers);
      const stats = app.get(TxmqConsumerStats);
      const relay = app.get<Relay>(TXMQ_RELAY);
      const drain = consumers.drain.bind(consumers);
      consumers.drain = () => {
        events.push('consumers drain');
        return drain();
      };
      const stop = relay.stop.bind(relay);
      relay.stop = () => {
        events.push(`relay stops, ${stats.stats()[0]?.inFlight} in flight at the consumers, ${relay.stats().claimed} rows claimed`);
        return stop();
      };
      const producer = createProducer({ endpoints: broker.endpoint, logger: QUIET });
      await producer.send({ topic: 'nest-slow', body: JSON.stringify({ id: 'slow' }), properties: { 'txmq-message-id': 'slow-id', ...JSON_BODY } });
      await producer.close();
      await eventually('the handler started', () => started);
      let closed = false;
      const closing = app.close().then(() => {
        events.push('closed');
        closed = true;
      });
      await eventually('the consumers draining', () => events.includes('consumers drain'));
      // The drain starts once the mark is read, so the handler's commit, after this, is past the mark.
      assert.deepEqual(events, ['outbox marked', 'consumers drain']);
      assert.equal(stats.stats()[0]?.inFlight, 1, 'the handler is still running');
      release();
      // Past the drain, the module waits for the relay (a poll of its catch-up is due on its clock)
      // instead of stopping it.
      await eventually('the drain over', () => events.includes('handler returned') && (clock.pending > 1 || events.some((e) => e.startsWith('relay stops'))));
      assert.equal(events.some((e) => e.startsWith('relay stops')), false, events.join());
      unlock();
      // The catch-up's clock moves only once the relay has claimed both rows: it never sees the
      // relay idle, however slowly the relay gets there.
      await eventually("the relay claimed the handler's row", () => relay.stats().claimed >= 2);
      await eventually('app.close() returned', () => {
        clock.advance(CATCH_UP_POLL_MS);
        return closed;
      });
      await closing;
      assert.deepEqual(events, ['outbox marked', 'consumers drain', 'handler returned', 'relay stops, 0 in flight at the consumers, 2 rows claimed', 'closed']);
      assert.deepEqual(await db.userIds(), ['slow']);
      assert.equal((await outbox.stats()).pending, 0, "the relay published the handler's send before it stopped");
    } finally {
      release();
      unlock();
      await lock;
      // Ends a shutdown still waiting when an assertion failed: the bound passes.
      clock.advance(30_000);
    }
    const reader = createSimpleConsumer({ endpoints: broker.endpoint, group: 'g-slow-reader', subscriptions: { 'nest-slow-done': '*' }, awaitMs: 1000, logger: QUIET });
    try {
      const sent = await eventually('the sent message', async () => (await reader.receive(16)).find((m) => body(m).id === 'slow'));
      assert.equal(sent.topic, 'nest-slow-done');
    } finally {
      await reader.close();
    }
  });

  it('a handler that never finishes: app.close() returns when shutdownTimeoutMs passes, says what still ran, and the message is redelivered', async () => {
    const clock = new ManualClock(Date.now());
    const errors: string[] = [];
    let firstStarted = false;
    let giveUp: (error: Error) => void = () => undefined;
    const stuck = new Promise<void>((_, reject) => (giveUp = reject));
    @Injectable()
    class Stuck {
      constructor(@Inject(TransactionHost) readonly host: TransactionHost) {}

      @OnMessage({ topic: 'nest-stuck', group: 'g-stuck' })
      async handle(): Promise<void> {
        firstStarted = true;
        await this.host.tx.insertInto(db.users).values({ id: 'stuck-first' }).execute();
        await stuck;
      }
    }
    const moduleRef = await Test.createTestingModule({
      imports: [TxmqModule.forRoot({ endpoints: broker.endpoint, db: db.db, schema: db.schema, relay: false, logger: QUIET })],
      providers: [Stuck],
    })
      .overrideProvider(TXMQ_CLOCK)
      .useValue(clock)
      .setLogger({ log: () => undefined, warn: () => undefined, error: (message: unknown) => void errors.push(String(message)) })
      .compile();
    const app = await moduleRef.init();
    const producer = createProducer({ endpoints: broker.endpoint, logger: QUIET });
    await producer.send({ topic: 'nest-stuck', body: JSON.stringify({ id: 'stuck' }), properties: { 'txmq-message-id': 'stuck-id', ...JSON_BODY } });
    await producer.close();
    await eventually('the handler started', () => firstStarted);
    let closed = false;
    const closing = app.close().then(() => (closed = true));
    await eventually('the shutdown bound armed', () => clock.pending > 0);
    clock.advance(29_999);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(closed, false, 'the bound (default 30 000 ms) has not passed yet');
    clock.advance(1);
    await closing;
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0] ?? '', /shutdownTimeoutMs \(30000 ms\) passed with 1 handler of group g-stuck still running \(Stuck\.handle: message stuck-id\); closing anyway/);

    // Not acknowledged: the broker redelivers it to the next member of the group.
    const attempts: number[] = [];
    @Injectable()
    class Next {
      constructor(@Inject(TransactionHost) readonly host: TransactionHost) {}

      @OnMessage({ topic: 'nest-stuck', group: 'g-stuck' })
      async handle(_message: ReceivedMessage, context: TxmqContext): Promise<void> {
        attempts.push(context.getDeliveryAttempt());
        await this.host.tx.insertInto(db.users).values({ id: 'stuck-next' }).execute();
      }
    }
    const next = await (
      await Test.createTestingModule({
        imports: [TxmqModule.forRoot({ endpoints: broker.endpoint, db: db.db, schema: db.schema, relay: false, logger: QUIET })],
        providers: [Next],
      }).compile()
    ).init();
    try {
      // The abandoned handler fails at last: its transaction (which held the inbox record) rolls back.
      giveUp(new Error('gave up'));
      await eventually('the redelivery applied', async () => (await db.userIds()).includes('stuck-next'));
      assert.ok(attempts.every((a) => a >= 2), attempts.join());
      assert.deepEqual((await db.userIds()).filter((id) => id.startsWith('stuck')), ['stuck-next']);
    } finally {
      await next.close();
    }
  });

  it('a message waiting for concurrency when shutdownTimeoutMs passes never reaches its handler, even once the slot frees', async () => {
    const clock = new ManualClock(Date.now());
    const debug: string[] = [];
    const started: string[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    @Injectable()
    class Queued {
      @OnMessage({ topic: 'nest-queued', group: 'g-queued', concurrency: 1 })
      async handle(message: ReceivedMessage): Promise<void> {
        started.push(body(message).id);
        await held;
      }
    }
    const moduleRef = await Test.createTestingModule({
      imports: [TxmqModule.forRoot({ endpoints: broker.endpoint, db: db.db, schema: db.schema, relay: false, logger: QUIET })],
      providers: [Queued],
    })
      .overrideProvider(TXMQ_CLOCK)
      .useValue(clock)
      .setLogger({ log: () => undefined, warn: () => undefined, error: () => undefined, debug: (message: unknown) => void debug.push(String(message)) })
      .compile();
    const app = await moduleRef.init();
    const producer = createProducer({ endpoints: broker.endpoint, logger: QUIET });
    for (const id of ['queued-a', 'queued-b']) {
      await producer.send({ topic: 'nest-queued', body: JSON.stringify({ id }), properties: { 'txmq-message-id': id, ...JSON_BODY } });
    }
    await producer.close();
    const stats = app.get(TxmqConsumerStats);
    // Both deliveries are counted as soon as they arrive; the first reaches its handler a moment later.
    await eventually('one handler running, one message waiting for it', () => stats.stats()[0]?.inFlight === 2 && started.length > 0);
    assert.equal(started.length, 1);
    const closing = app.close();
    await eventually('the shutdown bound armed', () => clock.pending > 0);
    clock.advance(30_000);
    await closing;
    // The running handler returns and frees its slot; the waiting delivery failed with the bound.
    release();
    const waiting = ['queued-a', 'queued-b'].find((id) => id !== started[0]);
    await eventually('the slot passed on', () => debug.some((m) => m.includes(`message ${waiting} was waiting for concurrency when shutdownTimeoutMs passed; not started`)));
    assert.deepEqual(started.length, 1, started.join());
  });

  it('consumers: false opens no consumer', async () => {
    const counter = await connectionCounter();
    @Injectable()
    class Idle {
      @OnMessage({ topic: 'nest-idle', group: 'g-idle' })
      async handle(): Promise<void> {}
    }
    try {
      const moduleRef = await Test.createTestingModule({
        imports: [TxmqModule.forRoot({ endpoints: counter.endpoint, db: db.db, schema: db.schema, relay: false, consumers: false })],
        providers: [Idle],
      }).compile();
      const app = await moduleRef.init();
      await app.close();
      assert.equal(counter.connections(), 0);
    } finally {
      await counter.close();
    }
  });
});

function isSnapshotRead(node: RootOperationNode): boolean {
  return node.kind === 'RawNode' && node.sqlFragments.some((fragment) => fragment.includes('pg_current_snapshot()'));
}
