import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { createInbox, InvalidOptionsError, type Inbox } from '../src/index.js';
import { backendPid, testDb, waitForBlocked } from './helpers.js';

const t = testDb('inbox');
let inbox: Inbox;
const applied = () => sql.table(`${t.schema}.applied`);

before(async () => {
  inbox = createInbox({ db: t.db, schema: t.schema, consumerGroup: 'points' });
  await inbox.migrate();
  await sql`create table ${applied()} (message_id text, note text)`.execute(t.db);
});
after(() => t.close());

const message = (id: string) => ({ messageId: `broker-${Math.random()}`, topic: 'x', properties: { 'txmq-message-id': id } });

async function appliedCount(id: string): Promise<number> {
  const { rows } = await sql<{ n: string }>`select count(*) as n from ${applied()} where message_id = ${id}`.execute(t.db);
  return Number(rows[0]?.n);
}

test('a message is applied once; a redelivery (new broker id, same txmq id) is a duplicate', async () => {
  const handler = async (trx: any, m: { properties: Record<string, string> }) => {
    await sql`insert into ${applied()} values (${m.properties['txmq-message-id']}, 'ok')`.execute(trx);
    return 'done';
  };
  const first = await inbox.process(message('m1'), handler);
  assert.deepEqual(first, { status: 'processed', messageId: 'm1', result: 'done' });
  const second = await inbox.process(message('m1'), handler);
  assert.deepEqual(second, { status: 'duplicate', messageId: 'm1' });
  assert.equal(await appliedCount('m1'), 1);
  const otherGroup = createInbox({ db: t.db, schema: t.schema, consumerGroup: 'coupons' });
  assert.equal((await otherGroup.process(message('m1'), handler)).status, 'processed', 'each consumer group applies it once');
});

test('a failing handler rolls back its writes and the record, so a retry applies it', async () => {
  await assert.rejects(
    inbox.process(message('m2'), async (trx) => {
      await sql`insert into ${applied()} values ('m2', 'partial')`.execute(trx);
      throw new Error('handler failed');
    }),
    /handler failed/,
  );
  assert.equal(await appliedCount('m2'), 0);
  const retry = await inbox.process(message('m2'), async (trx) => {
    await sql`insert into ${applied()} values ('m2', 'ok')`.execute(trx);
  });
  assert.equal(retry.status, 'processed');
  assert.equal(await appliedCount('m2'), 1);
});

test('concurrent deliveries of one message run the handler once', async () => {
  const inboxes = [inbox, createInbox({ db: t.connect(4), schema: t.schema, consumerGroup: 'points' })];
  let runs = 0;
  const results = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      (inboxes[i % 2] as Inbox).process(message('m3'), async (trx) => {
        runs++;
        // Hold the record uncommitted until the five other deliveries wait on it.
        await waitForBlocked(t.db, await backendPid(trx), 5);
        await sql`insert into ${applied()} values ('m3', 'ok')`.execute(trx);
      }),
    ),
  );
  assert.equal(runs, 1);
  assert.equal(results.filter((r) => r.status === 'processed').length, 1);
  assert.equal(await appliedCount('m3'), 1);
});

test('falls back to the broker message id; purge honours the window; bad input is named', async () => {
  const r = await inbox.process({ messageId: 'plain-id' }, async () => 1);
  assert.equal(r.messageId, 'plain-id');
  assert.equal(await inbox.purge(60_000), 0);
  // Every record was written by an earlier transaction, so before this one's now().
  assert.ok((await inbox.purge(0)) >= 3);
  assert.throws(() => createInbox({ db: t.db, consumerGroup: '' }), InvalidOptionsError);
  await assert.rejects(inbox.process({ messageId: '' }, async () => 1), /message\.messageId/);
});
