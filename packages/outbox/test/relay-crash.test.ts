import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { createInbox, createOutbox, createRelay, type Outbox } from '../src/index.js';
import { SinkPublisher } from './fixtures/sink-publisher.js';
import { eventually } from '@txmq/test-support';
import { DATABASE_URL, testDb } from './helpers.js';

const t = testDb('crash');
let outbox: Outbox;
const fixture = fileURLToPath(new URL('./fixtures/crashing-relay.js', import.meta.url));

before(async () => {
  outbox = createOutbox({ db: t.db, schema: t.schema });
  await outbox.migrate();
  await SinkPublisher.createTable(t.db, t.schema);
  await sql`create table ${sql.table(`${t.schema}.applied`)} (message_id text)`.execute(t.db);
});
after(() => t.close());

function runCrashingRelay(crashAt: string): Promise<NodeJS.Signals | null> {
  const child = spawn(process.execPath, [fixture], {
    env: { ...process.env, DATABASE_URL, SCHEMA: t.schema, CRASH_AT: crashAt },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve(signal));
  });
}

async function published(messageId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from ${sql.table(`${t.schema}.published`)} where message_id = ${messageId}`.execute(t.db);
  return rows[0]?.n ?? 0;
}

for (const [crashAt, publishedBeforeRecovery] of [['before-publish', 0], ['after-publish', 1]] as const) {
  test(`a relay killed ${crashAt === 'before-publish' ? 'between commit and publish' : 'between publish and mark'} loses nothing`, async () => {
    const { messageId } = await t.db.transaction().execute((trx) => outbox.send(trx, { topic: 'crash', body: { crashAt } }));
    assert.equal(await runCrashingRelay(crashAt), 'SIGKILL');
    assert.equal(await published(messageId), publishedBeforeRecovery);
    const leased = await outbox.stats();
    assert.equal(leased.pending, 1, 'the row is still there');
    assert.equal(leased.inFlight, 1, 'and still leased by the dead relay');

    const relay = createRelay({ outbox, publisher: new SinkPublisher(t.db, t.schema), pollIntervalMs: 50 });
    await relay.start();
    try {
      await eventually('the lease to expire and the row to be republished', async () => (await outbox.stats()).pending === 0, { timeoutMs: 10_000 });
    } finally {
      await relay.stop();
    }
    // Republished once after the lease expired: a duplicate only when the first publish got through.
    assert.equal(await published(messageId), publishedBeforeRecovery + 1);

    // Every copy goes through the inbox; the effect happens once.
    const inbox = createInbox({ db: t.db, schema: t.schema, consumerGroup: `c-${crashAt}` });
    const { rows } = await sql<{ message_id: string }>`
      select message_id from ${sql.table(`${t.schema}.published`)} where message_id = ${messageId} order by seq`.execute(t.db);
    const statuses = [];
    for (const row of rows) {
      const result = await inbox.process({ messageId: `broker-${Math.random()}`, properties: { 'txmq-message-id': row.message_id } }, (trx) =>
        sql`insert into ${sql.table(`${t.schema}.applied`)} values (${row.message_id})`.execute(trx),
      );
      statuses.push(result.status);
    }
    assert.deepEqual(statuses, publishedBeforeRecovery === 0 ? ['processed'] : ['processed', 'duplicate']);
    const { rows: applied } = await sql<{ n: number }>`
      select count(*)::int as n from ${sql.table(`${t.schema}.applied`)} where message_id = ${messageId}`.execute(t.db);
    assert.equal(applied[0]?.n, 1);
  });
}
