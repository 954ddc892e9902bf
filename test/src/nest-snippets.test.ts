// The TypeScript snippets the README of @txmq/nest shows (examples/nest-snippets/src) are
// compiled by `tsc -b`; here they run together against a broker process and Postgres, as an
// application composed of them: a registration must reach the @OnMessage consumer and the
// @EventPattern microservice, and TxmqClient's emit the microservice.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { eventually, testDatabaseUrl } from '@txmq/test-support';
import { startBrokerProcess, type BrokerProcess } from './support/broker-process.js';
import { freshDatabase, type FreshDatabase } from './support/fresh-database.js';

/** Generous: the machine running the suite may be busy. */
const FLOW = { timeoutMs: 30_000 };

let broker: BrokerProcess;
let database: FreshDatabase;
/** The Kysely instance app.module.ts creates, destroyed after the tests. */
let snippetDb: { destroy(): Promise<void> } | undefined;

before(async () => {
  // Declared, so consumers that subscribe before the first send find the topics' routes at once.
  broker = await startBrokerProcess({ memory: true, logLevel: 'warn', config: { topics: { 'user-registered': {}, 'newsletter-subscribed': {} } } });
  database = await freshDatabase(await testDatabaseUrl(), 'nest_snippets');
  // The snippets read their configuration from the environment, as the README says.
  process.env.TXMQ_ENDPOINTS = broker.endpoint;
  process.env.DATABASE_URL = database.url;
});
after(async () => {
  await snippetDb?.destroy();
  await broker?.dispose();
  await database?.drop();
});

test('forRoot app, TxmqServer microservice and TxmqClient together: a registration reaches the consumer and the microservice', async () => {
  const { AppModule, db } = await import('@txmq/nest-snippets/app.module');
  const { AccountsService } = await import('@txmq/nest-snippets/accounts.service');
  const { createTables } = await import('@txmq/nest-snippets/database');
  const { Mailer, startNotifications } = await import('@txmq/nest-snippets/notifications');
  const { Newsletter, NewsletterModule } = await import('@txmq/nest-snippets/newsletter');
  snippetDb = db;
  await createTables(db);

  @Module({ imports: [AppModule, NewsletterModule] })
  class ComposedModule {}
  const notifications = await startNotifications();
  notifications.useLogger(false);
  const app = await NestFactory.createApplicationContext(ComposedModule, { logger: false });
  const mailer = notifications.get(Mailer);
  const state = () => `mails sent: ${JSON.stringify(mailer.sent)}\nbroker stderr:\n${broker.stderr()}`;
  const mailed = (mail: string) =>
    eventually(mail, () => mailer.sent.includes(mail), FLOW).catch((error: Error) => {
      throw new Error(`${error.message}; ${state()}`, { cause: error });
    });
  let accountId: number;
  try {
    accountId = await app.get(AccountsService).register('ada@example.com');
    await eventually('the welcome points', async () => (await db.selectFrom('points').selectAll().execute()).length > 0, FLOW);
    await mailed('ada@example.com: Welcome');
    await app.get(Newsletter).subscribe('bob@example.com');
    await mailed('bob@example.com: You are subscribed');
  } finally {
    await app.close();
    await notifications.close();
  }
  // The @OnMessage consumer applies through its inbox: once.
  assert.deepEqual(await db.selectFrom('points').selectAll().execute(), [{ account_id: accountId, amount: 100 }]);
  // A TxmqServer handler has no inbox, so delivery is at least once: a redelivery mails again
  // ("Welcome (again)", or the confirmation twice).
  const mails = [...new Set(mailer.sent.map((mail) => mail.replace(/ \(again\)$/, '')))].sort();
  assert.deepEqual(mails, ['ada@example.com: Welcome', 'bob@example.com: You are subscribed'], state());
});

test('forRootAsync app: a registration grants points, and the database module destroys its pool at close', async () => {
  const { AppAsyncModule, DATABASE } = await import('@txmq/nest-snippets/app-async.module');
  const { AccountsService } = await import('@txmq/nest-snippets/accounts.service');
  const { createTables } = await import('@txmq/nest-snippets/database');
  const app = await NestFactory.createApplicationContext(AppAsyncModule, { logger: false });
  const db = app.get<import('kysely').Kysely<import('@txmq/nest-snippets/database').Database>>(DATABASE, { strict: false });
  let accountId: number;
  try {
    await createTables(db);
    accountId = await app.get(AccountsService).register('cy@example.com');
    await eventually('the welcome points', async () => (await db.selectFrom('points').selectAll().where('account_id', '=', accountId).execute()).length > 0, FLOW);
  } finally {
    await app.close();
  }
  await assert.rejects(db.selectFrom('points').selectAll().execute(), /destroyed/i, 'the pool was destroyed with the application');
});
