import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createOutbox, type Outbox } from '@txmq/outbox';
import { sql } from 'kysely';
import { isEmpty, markOutbox, rowsCommittedSince, rowsLeft } from '../src/shutdown/outbox-rows.js';
import { testDb, type TestDb } from './helpers.js';

let t: TestDb;
let outbox: Outbox;

/** Commits one outbox row with body `name`. */
function commit(name: string): Promise<unknown> {
  return t.db.transaction().execute((trx) => outbox.send(trx, { topic: 'rows', body: name }));
}

async function idOf(name: string): Promise<string> {
  const { rows } = await sql<{ id: string }>`select id::text as id from ${sql.table(`${t.schema}.outbox`)} where convert_from(body, 'utf8') = ${name}`.execute(t.db);
  assert.equal(rows.length, 1, name);
  return rows[0]!.id;
}

describe('the outbox rows committed since the shutdown began', () => {
  before(async () => {
    t = await testDb();
    outbox = createOutbox({ db: t.db, schema: t.schema, notify: false });
    await outbox.migrate();
  });
  after(async () => {
    await t?.close();
  });

  it('are those committed after the mark, including an earlier id a transaction open at the mark had drawn; not the backlog', async () => {
    await commit('backlog');
    // A handler that sent early and is still running when the shutdown begins: its id is drawn, not committed.
    let finish: () => void = () => undefined;
    const finishing = new Promise<void>((resolve) => (finish = resolve));
    let drawn: () => void = () => undefined;
    const sent = new Promise<void>((resolve) => (drawn = resolve));
    const open = t.db.transaction().execute(async (trx) => {
      await outbox.send(trx, { topic: 'rows', body: 'open-at-mark' });
      drawn();
      await finishing;
    });
    await sent;
    await commit('committed-before-mark');
    assert.ok(BigInt(await idOf('committed-before-mark')) > BigInt(await idOf('backlog')));

    const mark = await markOutbox(outbox);
    assert.equal(mark.highestId, await idOf('committed-before-mark'));
    finish();
    await open;
    await commit('after-mark');

    const rows = await rowsCommittedSince(outbox, mark);
    assert.deepEqual(rows, { afterId: mark.highestId, upToId: await idOf('after-mark'), earlier: [await idOf('open-at-mark')] });
    assert.equal(isEmpty(rows), false);
    assert.equal(await rowsLeft(outbox, rows), 2, 'open-at-mark and after-mark');

    await commit('after-the-drain');
    assert.equal(await rowsLeft(outbox, rows), 2, 'rows committed after the drain are not waited for');

    await sql`update ${sql.table(`${t.schema}.outbox`)} set locked_until = now() + interval '1 minute' where id = ${await idOf('after-mark')}::bigint`.execute(t.db);
    assert.equal(await rowsLeft(outbox, rows), 1, 'a row a relay leased is claimed');
    await sql`update ${sql.table(`${t.schema}.outbox`)} set available_at = now() + interval '1 minute' where id = ${await idOf('open-at-mark')}::bigint`.execute(t.db);
    assert.equal(await rowsLeft(outbox, rows), 0, 'a row waiting for its retry is not due');
  });

  it('nothing committed since the mark: empty', async () => {
    await commit('old');
    const mark = await markOutbox(outbox);
    const rows = await rowsCommittedSince(outbox, mark);
    assert.equal(isEmpty(rows), true);
    assert.equal(await rowsLeft(outbox, rows), 0);
  });
});
