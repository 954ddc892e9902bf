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
const destroyAfter: { destroy(): Promise<void> }[] = [];

before(async () => {
  // Declared, so consumers that subscribe before the first send find the topics' routes at once.
  broker = await startBrokerProcess({ memory: true, logLevel: 'warn', config: { topics: { 'user-registered': {}, 'newsletter-subscribed': {} } } });
  database = await freshDatabase(await testDatabaseUrl(), 'nest_snippets');
  // The snippets read their configuration from the environment, as the README says.
  process.env.TXMQ_ENDPOINTS = broker.endpoint;
  process.env.DATABASE_URL = database.url;
});
after(async () => {
  for (const db of destroyAfter) await db.destroy();
  await broker?.dispose();
  await database?.drop();
});

test('forRoot app, TxmqServer microservice and TxmqClient together: a registration flows through exactly once', async () => {
  const { AppModule, db } = await import('@txmq/nest-snippets/app.module');
  const { AccountsService } = await import('@txmq/nest-snippets/accounts.service');
  const { createTables } = await import('@txmq/nest-snippets/database');
  const { Mailer, startNotifications } = await import('@txmq/nest-snippets/notifications');
  const { Newsletter, NewsletterModule } = await import('@txmq/nest-snippets/newsletter');
  destroyAfter.push(db);
  await createTables(db);

  @Module({ imports: [AppModule, NewsletterModule] })
  class ComposedModule {}
  const notifications = await startNotifications();
  notifications.useLogger(false);
  const app = await NestFactory.createApplicationContext(ComposedModule, { logger: false });
  const mailer = notifications.get(Mailer);
  let accountId: number;
  try {
    accountId = await app.get(AccountsService).register('ada@example.com');
    await eventually('the welcome points', async () => (await db.selectFrom('points').selectAll().execute()).length > 0, FLOW);
    await eventually('the welcome mail', () => mailer.sent.includes('ada@example.com: Welcome'), FLOW);
    await app.get(Newsletter).subscribe('bob@example.com');
    await eventually('the newsletter confirmation', () => mailer.sent.includes('bob@example.com: You are subscribed'), FLOW);
  } finally {
    await app.close();
    await notifications.close();
  }
  assert.deepEqual(await db.selectFrom('points').selectAll().execute(), [{ account_id: accountId, amount: 100 }]);
  assert.deepEqual(mailer.sent, ['ada@example.com: Welcome', 'bob@example.com: You are subscribed']);
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
