import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { resolveConfig } from '../src/config.js';
import { BrokerCore } from '../src/core/broker-core.js';
import { Clients } from '../src/core/clients.js';
import { TopicLogs } from '../src/core/topic-log.js';
import { Transactions } from '../src/core/transactions.js';
import { BROKER_TRANSACTION_ID_PROPERTY } from '../src/system-properties.js';
import type { TransactionSettings } from '../src/core/types.js';
import type { MessageDraft } from '../src/store/records.js';
import { InvalidRequestError, NotFoundError } from '../src/errors.js';
import { incomingFromWire } from '../src/protocol/convert.js';
import { MemoryStore } from '../src/store/memory-store.js';
import type { HalfEntity, Store, WriteBatch } from '../src/store/store.js';

const log = pino({ level: 'silent' });
const T0 = 1_700_000_000_000;
const SETTINGS: TransactionSettings = { checkImmunityMs: 1000, checkIntervalMs: 500, maxChecks: 3 };

let counter = 0;
function draft(topic = 'orders', overrides: Partial<MessageDraft> = {}): MessageDraft {
  counter += 1;
  return {
    topic,
    queueId: 0,
    messageId: `TXMSG${String(counter).padStart(6, '0')}`,
    kind: 'TRANSACTION',
    body: Buffer.from(`body-${counter}`),
    keys: ['k'],
    properties: { a: '1' },
    bornAt: T0,
    bornHost: 'test',
    ...overrides,
  };
}

/** A broker's transaction part over `store`, with a client registry whose producers record checks. */
function setup(store: Store = new MemoryStore(), settings = SETTINGS, now = T0) {
  const logs = new TopicLogs(store);
  const clients = new Clients();
  const transactions = new Transactions(store, logs, clients, settings, log, now);
  const asked: { producer: string; transactionId: string }[] = [];
  /** The check count that was durable when each check was sent. */
  const storedChecksWhenAsked: number[] = [];
  const connect = (id: string, topics: string[], writable = () => true) => {
    const session = clients.touch(id);
    session.role = 'producer';
    for (const topic of topics) session.publishing.add(topic);
    const peer = {
      recoverOrphanedTransaction(half: HalfEntity) {
        if (!writable()) return false;
        asked.push({ producer: id, transactionId: half.transactionId });
        storedChecksWhenAsked.push(store.loadEntities('half').find((h) => h.transactionId === half.transactionId)?.checks ?? -1);
        return true;
      },
    };
    session.telemetry = peer;
    return () => clients.detach(id, peer);
  };
  return { store, logs, clients, transactions, asked, storedChecksWhenAsked, connect };
}

const half = (t: Transactions, id: string) => t.list().find((h) => h.transactionId === id);

test('a half message is invisible until committed; commit appends it with __transactionId__', async () => {
  const { transactions, logs } = setup();
  const message = draft();
  const id = await transactions.begin(message, 'p1', undefined, T0);
  assert.ok(id.length > 0);
  assert.equal(logs.readableEnd('orders'), 0, 'nothing readable before the commit');
  assert.equal(await transactions.end(id, 'COMMIT', { messageId: message.messageId, topic: 'orders' }), true);
  assert.equal(logs.readableEnd('orders'), 1);
  const record = logs.read('orders', 0)!;
  assert.equal(record.messageId, message.messageId);
  assert.deepEqual(record.properties, { a: '1', [BROKER_TRANSACTION_ID_PROPERTY]: id });
  assert.equal(transactions.list().length, 0);
  assert.equal(transactions.settlement(id), 'COMMIT');
});

test('a repeated resolution is OK and changes nothing; the opposite one and unknown ids are INVALID_TRANSACTION_ID', async () => {
  const { transactions, logs } = setup();
  const committed = await transactions.begin(draft(), 'p1', undefined, T0);
  const rolledBack = await transactions.begin(draft(), 'p1', undefined, T0);
  assert.equal(await transactions.end(committed, 'COMMIT'), true);
  assert.equal(await transactions.end(committed, 'COMMIT'), false);
  assert.equal(await transactions.end(rolledBack, 'ROLLBACK'), true);
  assert.equal(await transactions.end(rolledBack, 'ROLLBACK'), false);
  assert.equal(logs.readableEnd('orders'), 1, 'the repeat did not append again; the rollback appended nothing');
  await assert.rejects(transactions.end(committed, 'ROLLBACK'), (e: unknown) => e instanceof InvalidRequestError && e.code === 'INVALID_TRANSACTION_ID' && /already committed/.test(e.message));
  await assert.rejects(transactions.end(rolledBack, 'COMMIT'), (e: unknown) => e instanceof InvalidRequestError && /already rolled back/.test(e.message));
  await assert.rejects(transactions.end('no-such-tx', 'COMMIT'), (e: unknown) => e instanceof NotFoundError && e.code === 'INVALID_TRANSACTION_ID');
  assert.equal(logs.readableEnd('orders'), 1);
});

test('EndTransaction naming another message or topic is refused and settles nothing', async () => {
  const { transactions } = setup();
  const id = await transactions.begin(draft(), 'p1', undefined, T0);
  await assert.rejects(transactions.end(id, 'COMMIT', { messageId: 'OTHER' }), /belongs to message/);
  await assert.rejects(transactions.end(id, 'COMMIT', { topic: 'other' }), /belongs to topic/);
  assert.equal(transactions.list().length, 1);
});

test('concurrent resolutions settle once: the same one twice appends once; opposite ones, one wins', async () => {
  const { transactions, logs } = setup();
  const a = await transactions.begin(draft(), 'p1', undefined, T0);
  const results = await Promise.all([transactions.end(a, 'COMMIT'), transactions.end(a, 'COMMIT'), transactions.runChecks(T0 + 10_000)]);
  assert.deepEqual(results.slice(0, 2).sort(), [false, true]);
  assert.equal(logs.readableEnd('orders'), 1);
  const b = await transactions.begin(draft(), 'p1', undefined, T0);
  const outcomes = await Promise.allSettled([transactions.end(b, 'COMMIT'), transactions.end(b, 'ROLLBACK')]);
  assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected']);
  assert.equal(logs.readableEnd('orders'), 2);
});

test('checks count when no producer is connected; after maxChecks the half message is parked, kept and resolvable', async () => {
  const { transactions, store, logs, asked } = setup();
  const id = await transactions.begin(draft(), 'gone-producer', undefined, T0);
  await transactions.runChecks(T0 + 999);
  assert.equal(half(transactions, id)!.checks, 0, 'immune for checkImmunityMs');
  await transactions.runChecks(T0 + 1000);
  assert.equal(half(transactions, id)!.checks, 1, 'a check with nobody to ask still counts');
  await transactions.runChecks(T0 + 1499);
  assert.equal(half(transactions, id)!.checks, 1, 'next check only after checkIntervalMs');
  await transactions.runChecks(T0 + 1500);
  await transactions.runChecks(T0 + 2000);
  assert.deepEqual({ checks: half(transactions, id)!.checks, parked: half(transactions, id)!.parked }, { checks: 3, parked: false });
  await transactions.runChecks(T0 + 2500);
  assert.deepEqual({ checks: half(transactions, id)!.checks, parked: half(transactions, id)!.parked }, { checks: 3, parked: true });
  await transactions.runChecks(T0 + 3_600_000);
  assert.equal(half(transactions, id)!.checks, 3, 'a parked half message is never checked again');
  assert.equal(asked.length, 0);
  const stored = store.loadEntities('half').find((h) => h.transactionId === id)!;
  assert.deepEqual({ checks: stored.checks, parked: stored.parked }, { checks: 3, parked: true }, 'count and parking are durable');
  assert.equal(logs.readableEnd('orders'), 0, 'parked is not delivered');
  assert.equal(await transactions.end(id, 'COMMIT'), true, 'an operator can still commit it');
  assert.equal(logs.readableEnd('orders'), 1);
});

test('the check goes to the sender while it is connected, else to other producers of the topic in turn, never to other topics', async () => {
  const { transactions, asked, storedChecksWhenAsked, connect } = setup(new MemoryStore(), { checkImmunityMs: 0, checkIntervalMs: 100, maxChecks: 10 });
  const disconnectSender = connect('sender', ['orders']);
  connect('other-1', ['orders']);
  connect('other-2', ['orders']);
  connect('elsewhere', ['payments']);
  const id = await transactions.begin(draft(), 'sender', undefined, T0);
  await transactions.runChecks(T0);
  await transactions.runChecks(T0 + 100);
  assert.deepEqual(asked.map((a) => a.producer), ['sender', 'sender']);
  disconnectSender();
  await transactions.runChecks(T0 + 200);
  await transactions.runChecks(T0 + 300);
  await transactions.runChecks(T0 + 400);
  assert.deepEqual(asked.slice(2).map((a) => a.producer), ['other-1', 'other-2', 'other-1'], 'other producers of the topic, in turn');
  assert.ok(asked.every((a) => a.producer !== 'elsewhere' && a.transactionId === id));
  assert.equal(half(transactions, id)!.checks, 5);
  assert.deepEqual(storedChecksWhenAsked, [1, 2, 3, 4, 5], 'each check is durably counted before it is sent');
});

test('a half message settled while its check count is being written is not checked', async () => {
  const { transactions, asked, connect } = setup(new MemoryStore(), { checkImmunityMs: 0, checkIntervalMs: 100, maxChecks: 10 });
  connect('p1', ['orders']);
  const id = await transactions.begin(draft(), 'p1', undefined, T0);
  const checking = transactions.runChecks(T0);
  const ending = transactions.end(id, 'ROLLBACK');
  await Promise.all([checking, ending]);
  assert.deepEqual(asked, []);
  assert.equal(transactions.settlement(id), 'ROLLBACK');
});

test('a producer that sent a half message to a topic is asked about other half messages of that topic', async () => {
  const { transactions, asked, connect } = setup(new MemoryStore(), { checkImmunityMs: 0, checkIntervalMs: 100, maxChecks: 10 });
  const disconnectGone = connect('gone', []);
  connect('late-lister', []); // its Settings do not list the topic (yet)
  const orphan = await transactions.begin(draft(), 'gone', undefined, T0);
  const own = await transactions.begin(draft(), 'late-lister', undefined, T0);
  await transactions.end(own, 'COMMIT');
  disconnectGone();
  await transactions.runChecks(T0);
  assert.deepEqual(asked, [{ producer: 'late-lister', transactionId: orphan }]);
});

test('a stream that is no longer writable is skipped for the next producer; with none the check still counts', async () => {
  const { transactions, asked, connect } = setup(new MemoryStore(), { checkImmunityMs: 0, checkIntervalMs: 100, maxChecks: 10 });
  connect('sender', ['orders'], () => false);
  const id = await transactions.begin(draft(), 'sender', undefined, T0);
  await transactions.runChecks(T0);
  assert.equal(asked.length, 0);
  assert.equal(half(transactions, id)!.checks, 1);
  connect('other', ['orders']);
  await transactions.runChecks(T0 + 100);
  assert.deepEqual(asked, [{ producer: 'other', transactionId: id }]);
  assert.equal(half(transactions, id)!.checks, 2);
});

test("a message's own recovery duration replaces the immunity time without changing the count", async () => {
  const { transactions, asked, connect } = setup();
  connect('p1', ['orders']);
  const late = await transactions.begin(draft(), 'p1', 5000, T0);
  const early = await transactions.begin(draft(), 'p1', 0, T0);
  await transactions.runChecks(T0);
  assert.deepEqual(asked.map((a) => a.transactionId), [early], 'a zero recovery duration is checked at once');
  await transactions.runChecks(T0 + 4999);
  assert.equal(half(transactions, late)!.checks, 0, 'not checked during its own immunity (longer than checkImmunityMs)');
  await transactions.runChecks(T0 + 5000);
  assert.equal(half(transactions, late)!.checks, 1, 'its first check is check 1');
  for (let t = T0 + 5500; t <= T0 + 6000; t += 500) await transactions.runChecks(t);
  assert.deepEqual({ checks: half(transactions, late)!.checks, parked: half(transactions, late)!.parked }, { checks: 3, parked: false });
  await transactions.runChecks(T0 + 6500);
  assert.equal(half(transactions, late)!.parked, true, 'parked after exactly maxChecks checks');
  assert.equal(asked.filter((a) => a.transactionId === late).length, 3);
});

test('orphaned_transaction_recovery_duration from the wire reaches the schedule through BrokerCore.send', async () => {
  const config = resolveConfig({ transaction: { checkImmunityMs: 1000, checkIntervalMs: 500, maxChecks: 3 } });
  const core = new BrokerCore(new MemoryStore(), config, log);
  const incoming = incomingFromWire(
    {
      topic: { name: 'orders' },
      body: Buffer.from('x'),
      systemProperties: { messageId: 'WIRE-TX-1', messageType: 4, orphanedTransactionRecoveryDuration: { seconds: '3', nanos: 0 } },
    } as never,
    '',
  );
  assert.equal(incoming.recoveryMs, 3000);
  const now = Date.now();
  const outcome = await core.send(incoming, 'p1', now);
  const stored = core.transaction(outcome.transactionId)!;
  assert.equal(stored.nextCheckAt, now + 3000);
  await assert.rejects(
    core.send({ ...incoming, messageId: 'WIRE-TX-2', recoveryMs: 2 * 3_600_000 }, 'p1', now),
    (e: unknown) => e instanceof InvalidRequestError && e.code === 'BAD_REQUEST',
  );
  await core.close();
});

test('half messages, check counts, schedules and parking survive a reload; an overdue check waits one immunity period', async () => {
  const store = new MemoryStore();
  const first = setup(store);
  const parked = await first.transactions.begin(draft(), 'p1', undefined, T0);
  for (let t = T0 + 1000; t <= T0 + 2500; t += 500) await first.transactions.runChecks(t);
  const counted = await first.transactions.begin(draft(), 'p1', undefined, T0 + 2000);
  await first.transactions.runChecks(T0 + 3000); // counted: check 1, next due at T0 + 3500
  const future = await first.transactions.begin(draft(), 'p1', 60_000, T0 + 3000);
  const settled = await first.transactions.begin(draft(), 'p1', undefined, T0 + 3000);
  await first.transactions.end(settled, 'ROLLBACK');

  // "Restart" at T0 + 10 s: the counted one is overdue, the future one is not.
  const restartAt = T0 + 10_000;
  const second = setup(store, SETTINGS, restartAt);
  const byId = new Map(second.transactions.list().map((h) => [h.transactionId, h]));
  assert.deepEqual([...byId.keys()].sort(), [parked, counted, future].sort());
  assert.deepEqual({ checks: byId.get(parked)!.checks, parked: byId.get(parked)!.parked }, { checks: 3, parked: true });
  assert.equal(byId.get(counted)!.checks, 1);
  assert.equal(byId.get(counted)!.nextCheckAt, restartAt + SETTINGS.checkImmunityMs, 'overdue check held back for reconnecting producers');
  assert.equal(byId.get(future)!.nextCheckAt, T0 + 63_000, 'a schedule in the future is kept as it was');
  await assert.rejects(second.transactions.end(settled, 'COMMIT'), /already rolled back/);

  await second.transactions.runChecks(restartAt + 999);
  assert.equal(half(second.transactions, counted)!.checks, 1);
  await second.transactions.runChecks(restartAt + 1000);
  assert.equal(half(second.transactions, counted)!.checks, 2, 'the count continues where it was');
  assert.equal(await second.transactions.end(parked, 'COMMIT'), true);
  assert.equal(second.logs.readableEnd('orders'), 1);
});

test('a half message whose write failed is neither listed nor checked, and leaves nothing behind', async () => {
  const inner = new MemoryStore();
  let fail = true;
  const flaky: Store = {
    topics: () => inner.topics(),
    topicBounds: (topic) => inner.topicBounds(topic),
    readMessage: (topic, offset) => inner.readMessage(topic, offset),
    offsetAtTime: (topic, time) => inner.offsetAtTime(topic, time),
    loadEntities: (kind) => inner.loadEntities(kind),
    locateMessage: (id) => inner.locateMessage(id),
    offsetsByKey: (topic, key, from, limit) => inner.offsetsByKey(topic, key, from, limit),
    readTrace: (id) => inner.readTrace(id),
    lastTraceSeq: () => inner.lastTraceSeq(),
    oldestTraceAt: () => inner.oldestTraceAt(),
    storeBytes: () => inner.storeBytes(),
    close: () => inner.close(),
    commit: async (batch: WriteBatch) => {
      if (fail && batch.entities?.some((e) => e.kind === 'half')) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new Error('disk full');
      }
      return inner.commit(batch);
    },
  };
  const { transactions, asked, connect } = setup(flaky, { checkImmunityMs: 0, checkIntervalMs: 100, maxChecks: 3 });
  connect('p1', ['orders']);
  const begun = transactions.begin(draft(), 'p1', undefined, T0);
  assert.equal(transactions.list().length, 0, 'not listed while being written');
  await transactions.runChecks(T0);
  await assert.rejects(begun, /disk full/);
  fail = false;
  await transactions.runChecks(T0 + 100);
  assert.equal(transactions.list().length, 0);
  assert.equal(inner.loadEntities('half').length, 0);
  assert.equal(asked.length, 0);
});

test('a second half message with the same message id gets its own transaction id', async () => {
  const { transactions } = setup();
  const message = draft();
  const a = transactions.begin(message, 'p1', undefined, T0);
  const b = transactions.begin(message, 'p1', undefined, T0);
  const [idA, idB] = await Promise.all([a, b]);
  assert.notEqual(idA, idB);
  assert.equal(transactions.list().length, 2);
});
