// Type-level test: compiled by `tsc -b` (a wrong table name must NOT compile, see the
// `@ts-expect-error` lines), run as a plain test so it is part of the suite.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { createInbox, createTransactionalSender, type Inbox, type InboxResult, type TransactionalSender } from '../src/index.js';
import { DATABASE_URL } from './helpers.js';

interface AppDatabase {
  users: { id: number; name: string };
  points: { user_id: number; amount: number };
}

/** `true` only when A and B are the same type. */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

// A pool connects on first query only: nothing here touches the database.
const db = new Kysely<AppDatabase>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: DATABASE_URL }) }) });
const inbox = createInbox({ db, consumerGroup: 'points' });
const sender = createTransactionalSender({ db, endpoints: '127.0.0.1:1' });

const inboxInferred: Equals<typeof inbox, Inbox<AppDatabase>> = true;
const senderInferred: Equals<typeof sender, TransactionalSender<AppDatabase>> = true;

/** Never called: it only has to compile. */
async function usesTheCallersDatabaseType(): Promise<void> {
  const result = await inbox.process({ messageId: 'm' }, async (trx) => {
    const typed: Equals<typeof trx, Transaction<AppDatabase>> = true;
    await trx.insertInto('points').values({ user_id: 1, amount: 10 }).execute();
    // @ts-expect-error -- "nope" is not a table of AppDatabase
    await trx.insertInto('nope').values({ user_id: 1 }).execute();
    // @ts-expect-error -- "points" has no column "name"
    await trx.insertInto('points').values({ user_id: 1, amount: 10, name: 'x' }).execute();
    return typed;
  });
  const handlerResult: Equals<typeof result, InboxResult<true>> = true;
  const sent = await sender.send({ topic: 'users', body: { id: 1 } }, async (trx) => {
    const typed: Equals<typeof trx, Transaction<AppDatabase>> = true;
    await trx.insertInto('users').values({ id: 1, name: 'Ada' }).execute();
    // @ts-expect-error -- "nope" is not a table of AppDatabase
    await trx.selectFrom('nope').selectAll().execute();
    return { typed, handlerResult };
  });
  const sendResult: Equals<typeof sent.result, { typed: true; handlerResult: true }> = true;
  void sendResult;
}

test('inbox.process and sender.send hand the handler a Transaction of the caller\'s database type', async () => {
  assert.equal(inboxInferred, true);
  assert.equal(senderInferred, true);
  assert.equal(typeof usesTheCallersDatabaseType, 'function');
  await sender.close();
  await db.destroy();
});
