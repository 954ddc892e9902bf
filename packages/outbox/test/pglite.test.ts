import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, sql } from 'kysely';
import {
  createInbox,
  createOutbox,
  createPgliteDialect,
  createRelay,
  pgliteNotifications,
  type Outbox,
} from '../src/index.js';
import { eventually } from '@txmq/test-support';
import { bodyJson, RecordingPublisher } from './helpers.js';

const pglite = new PGlite();
const db = new Kysely<any>({ dialect: createPgliteDialect(pglite, { closeOnDestroy: true }) });
let outbox: Outbox;

before(async () => {
  outbox = createOutbox({ db });
  assert.deepEqual((await outbox.migrate()).applied, ['0001_initial', '0002_send_functions', '0003_error_details', '0004_transaction_log_topic']);
  assert.deepEqual((await outbox.migrate()).applied, []);
});
after(() => db.destroy());

test('on PGlite: rollback sends nothing, commit sends once, groups stay in order, the inbox dedups', async () => {
  const publisher = new RecordingPublisher();
  let failures = 0;
  publisher.failWith = (m) => (m.messageGroup === 'g' && failures++ < 2 ? new Error('transient') : undefined);
  const relay = createRelay({
    outbox,
    publisher,
    pollIntervalMs: 60_000, // only the PGlite LISTEN wake-up (or a completion) makes progress quick
    backoff: { initialMs: 10, maxMs: 20 },
    listen: pgliteNotifications(pglite),
  });
  await relay.start();
  try {
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await outbox.send(trx, { topic: 'x', body: 'rolled back' });
        throw new Error('abort');
      }),
    );
    for (let i = 0; i < 5; i++) {
      await db.transaction().execute((trx) =>
        outbox.sendMany(trx, [
          { topic: 'x', body: { i }, messageGroup: 'g', headers: { traceparent: `tp-${i}` } },
          { topic: 'x', body: { i } },
        ]),
      );
    }
    await eventually('all ten messages', () => publisher.published.length === 10, { timeoutMs: 15_000 });
    assert.deepEqual(
      publisher.published.filter((m) => m.messageGroup === 'g').map((m) => [bodyJson(m).i, m.headers.traceparent]),
      [0, 1, 2, 3, 4].map((i) => [i, `tp-${i}`]),
    );
    await eventually('an empty outbox', async () => (await outbox.stats()).pending === 0);
  } finally {
    await relay.stop();
  }

  const inbox = createInbox({ db, consumerGroup: 'c' });
  await sql`create table applied (id text)`.execute(db);
  const m = { messageId: 'b1', properties: { 'txmq-message-id': 'm-1' } };
  const apply = (trx: Kysely<any>) => sql`insert into applied values ('m-1')`.execute(trx);
  assert.equal((await inbox.process(m, apply)).status, 'processed');
  assert.equal((await inbox.process({ ...m, messageId: 'b2' }, apply)).status, 'duplicate');
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from applied`.execute(db);
  assert.equal(rows[0]?.n, 1);
});
