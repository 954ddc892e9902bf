// A hybrid Nest application: an HTTP app (Express) with a TxmqServer microservice connected to it,
// against a broker process and Postgres. An HTTP POST registers a user through a @Transactional
// method (a row and an outbox message in one transaction); the relay of TxmqModule publishes it
// and an @EventPattern handler of the same app receives it. A global guard (APP_GUARD) that
// rejects HTTP requests without an API key does not block the event handler: by default Nest
// does not apply the app's global enhancers to a connected microservice, and with
// `inheritAppConfig: true` it does, with `getType()` 'rpc', which the guard lets through.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { Body, Controller, HttpCode, Inject, Injectable, Module, Post, type CanActivate, type ExecutionContext, type INestApplication } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { TransactionHost, Transactional, TxmqContext, TxmqModule, TxmqProducer, TxmqServer } from '@txmq/nest';
import { eventually, testDatabaseUrl } from '@txmq/test-support';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { startBrokerProcess, type BrokerProcess } from './support/broker-process.js';
import { freshDatabase, type FreshDatabase } from './support/fresh-database.js';

const GROUP = 'hybrid-welcome';
const API_KEY = 'let-me-in';
const QUIET = { info: () => undefined, warn: () => undefined, error: () => undefined };

let broker: BrokerProcess;
let database: FreshDatabase;
let db: Kysely<any>;

/** What the app's guard and event handler saw. */
const guarded: string[] = [];
const received: { payload: unknown; topic: string; attempt: number }[] = [];

@Injectable()
class ApiKeyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    guarded.push(context.getType());
    if (context.getType() !== 'http') return true;
    return context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers['x-api-key'] === API_KEY;
  }
}

@Injectable()
class Users {
  constructor(
    @Inject(TransactionHost) private readonly host: TransactionHost,
    @Inject(TxmqProducer) private readonly producer: TxmqProducer,
  ) {}

  @Transactional()
  async register(email: string): Promise<string> {
    await this.host.tx.insertInto('users').values({ email }).execute();
    const { messageId } = await this.producer.send({ topic: 'hybrid-registered', body: { email } });
    return messageId;
  }
}

@Controller('users')
class UsersController {
  constructor(@Inject(Users) private readonly users: Users) {}

  @Post()
  @HttpCode(201)
  async create(@Body() body: { email: string }): Promise<{ messageId: string }> {
    return { messageId: await this.users.register(body.email) };
  }
}

@Controller()
class WelcomeController {
  @EventPattern<string>('hybrid-registered')
  onRegistered(@Payload() payload: unknown, @Ctx() context: TxmqContext): void {
    received.push({ payload, topic: context.getTopic(), attempt: context.getDeliveryAttempt() });
  }
}

before(async () => {
  broker = await startBrokerProcess({ memory: true, logLevel: 'warn' });
  database = await freshDatabase(await testDatabaseUrl(), 'nest_hybrid');
  db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url }) }) });
  await sql`create table users (email text primary key)`.execute(db);
});
after(async () => {
  await db?.destroy();
  await broker?.dispose();
  await database?.drop();
});

async function startApp(hybrid: { inheritAppConfig?: boolean }): Promise<{ app: INestApplication; url: string }> {
  @Module({
    imports: [TxmqModule.forRoot({ endpoints: broker.endpoint, db, logger: QUIET, relay: { listen: database.url } })],
    controllers: [UsersController, WelcomeController],
    providers: [Users, { provide: APP_GUARD, useClass: ApiKeyGuard }],
  })
  class HybridModule {}
  const app = await NestFactory.create(HybridModule, { logger: false });
  app.connectMicroservice({ strategy: new TxmqServer({ endpoints: broker.endpoint, group: GROUP, logger: QUIET }) }, hybrid);
  await app.startAllMicroservices();
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}` };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}/users`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

for (const { name, hybrid, guardSaw, email, refusedEmail } of [
  { name: 'by default', hybrid: {}, guardSaw: ['http', 'http'], email: 'ada@example.com', refusedEmail: 'mallory@example.com' },
  { name: 'with inheritAppConfig', hybrid: { inheritAppConfig: true }, guardSaw: ['http', 'http', 'rpc'], email: 'bea@example.com', refusedEmail: 'oscar@example.com' },
]) {
  test(`hybrid app (${name}): an HTTP POST writes and sends in one transaction, the app's @EventPattern handler receives it; the HTTP guard does not block it`, async () => {
    guarded.length = 0;
    received.length = 0;
    const { app, url } = await startApp(hybrid);
    try {
      const refused = await post(url, { email: refusedEmail });
      assert.equal(refused.status, 403, 'the guard rejects HTTP without the key');

      const created = await post(url, { email }, { 'x-api-key': API_KEY });
      assert.equal(created.status, 201);
      assert.match((created.body as { messageId: string }).messageId, /^[0-9a-f-]{36}$/);

      await eventually('the event', () => received.length > 0, { timeoutMs: 20_000 });
      assert.deepEqual(received, [{ payload: { email }, topic: 'hybrid-registered', attempt: 1 }]);
      assert.deepEqual(await db.selectFrom('users').select('email').where('email', 'in', [email, refusedEmail]).execute(), [{ email }], 'the refused request wrote nothing');
      assert.deepEqual(guarded, guardSaw);
    } finally {
      await app.close();
    }
    assert.equal(received.length, 1, 'received once');
  });
}
