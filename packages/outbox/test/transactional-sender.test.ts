import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createTransactionalSender, InvalidMessageError, InvalidOptionsError, isOutboxError, OutboxNotInTransactionError, OutboxStateError } from '../src/index.js';
import { testDb } from './helpers.js';

// Nothing listens on port 1: a sender that tried to connect would fail, so these tests also show
// that creating a sender and refusing a bad message do no I/O.
const endpoints = '127.0.0.1:1';
const t = testDb('sender');
after(() => t.close());

test('createTransactionalSender is synchronous, does no I/O, and names a bad option', async () => {
  const sender = createTransactionalSender({ db: t.db, endpoints, topics: ['orders'] });
  assert.equal(typeof (sender as unknown as { then?: unknown }).then, 'undefined');
  await sender.close();
  const cases: Array<[unknown, string]> = [
    [null, 'options'],
    [{ db: {}, endpoints }, 'db'],
    [{ db: t.db, endpoints: '' }, 'endpoints'],
    [{ db: t.db, endpoints, topics: 'orders' }, 'topics'],
    [{ db: t.db, endpoints, topics: ['ok', 'not ok'] }, 'topics[1]'],
    [{ db: t.db, endpoints, requestTimeoutMs: 0 }, 'requestTimeoutMs'],
    [{ db: t.db, endpoints, requestTimeoutMs: 500 }, 'requestTimeoutMs'],
    [{ db: t.db, endpoints, logger: {} }, 'logger'],
    [{ db: t.db, endpoints, namespace: 1 }, 'namespace'],
    [{ db: t.db, endpoints, onError: 1 }, 'onError'],
    [{ db: t.db, endpoints, schema: 'Bad' }, 'schema'],
  ];
  for (const [options, option] of cases) {
    assert.throws(
      () => createTransactionalSender(options as never),
      (error: unknown) => error instanceof InvalidOptionsError && error.option === option,
      `expected InvalidOptionsError(${option})`,
    );
  }
});

test('a message the broker would refuse fails at send, before anything is sent or written', async () => {
  const sender = createTransactionalSender({ db: t.db, endpoints });
  let ran = false;
  const work = async () => {
    ran = true;
  };
  try {
    const cases: Array<[unknown, string]> = [
      [{ topic: 'orders', body: 1, tag: 'a|b' }, 'message.tag'],
      [{ topic: 'orders', body: 1, messageGroup: 'g' }, 'message.messageGroup'],
      [{ topic: 'orders', body: 1, deliverAt: new Date() }, 'message.deliverAt'],
      [{ topic: 'orders', body: 1, headers: { UNIQ_KEY: 'x' } }, 'message.headers.UNIQ_KEY'],
      [{ topic: 'orders', body: 1, keys: ['\u0001'] }, 'message.keys[0]'],
    ];
    for (const [message, field] of cases) {
      await assert.rejects(
        sender.send(message as never, work),
        (error: unknown) => error instanceof InvalidMessageError && error.field === field,
        `expected ${field} to be refused`,
      );
    }
    assert.equal(ran, false);
  } finally {
    await sender.close();
  }
  await sender.close();
  await assert.rejects(sender.send({ topic: 'orders', body: 1 }, work), OutboxStateError);
});

test('a sender that cannot reach the broker fails with an outbox error, and work does not run', async () => {
  const quiet = { info() {}, warn() {}, error() {} };
  const sender = createTransactionalSender({ db: t.db, endpoints, requestTimeoutMs: 1_000, startupTimeoutMs: 1_500, logger: quiet });
  let ran = false;
  try {
    await assert.rejects(
      sender.send({ topic: 'orders', body: 1 }, async () => {
        ran = true;
      }),
      (error: unknown) => isOutboxError(error, 'PUBLISH_FAILED'),
    );
    assert.equal(ran, false);
  } finally {
    await sender.close();
  }
});

test('close() returns at once while a start() is still trying to reach the broker', async () => {
  const quiet = { info() {}, warn() {}, error() {} };
  // The producer's start would keep trying for its startupTimeoutMs (30 s): nothing listens on port 1.
  const sender = createTransactionalSender({ db: t.db, endpoints, logger: quiet });
  const starting = sender.start();
  const closing = Date.now();
  await sender.close();
  assert.ok(Date.now() - closing < 3_000, `close() took ${Date.now() - closing} ms`);
  await assert.rejects(starting, (error: unknown) => isOutboxError(error, 'PUBLISH_FAILED'));
  await assert.rejects(sender.start(), OutboxStateError);
});

test('sendInTransaction refuses a bad message or a non-transaction before any I/O, and fails after close()', async () => {
  const sender = createTransactionalSender({ db: t.db, endpoints });
  try {
    await t.db.transaction().execute(async (trx) => {
      for (const [message, field] of [
        [{ topic: 'orders', body: 1, messageGroup: 'g' }, 'message.messageGroup'],
        [{ topic: 'orders', body: 1, deliverAt: new Date() }, 'message.deliverAt'],
      ] as const) {
        await assert.rejects(
          sender.sendInTransaction(trx, message),
          (error: unknown) => error instanceof InvalidMessageError && error.field === field,
          `expected ${field} to be refused`,
        );
      }
    });
    await assert.rejects(sender.sendInTransaction(t.db as never, { topic: 'orders', body: 1 }), (error: unknown) =>
      error instanceof OutboxNotInTransactionError && /sender\.sendInTransaction\(\)/.test(error.message),
    );
  } finally {
    await sender.close();
  }
  await t.db.transaction().execute(async (trx) => {
    await assert.rejects(sender.sendInTransaction(trx, { topic: 'orders', body: 1 }), OutboxStateError);
  });
});
