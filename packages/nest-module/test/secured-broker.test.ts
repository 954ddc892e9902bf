// TxmqModule and the microservices transport against a broker with users (`acl`) and TLS, on a
// certificate made here: with the right credentials an application publishes (outbox, direct,
// half message) and consumes; with a wrong secret its start fails, saying why.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Controller, Inject, Injectable } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Test, type TestingModule } from '@nestjs/testing';
import { startBroker, type RunningBroker } from '@txmq/broker';
import { decodeBody, isOutboxError, PublishError, type ClientCredentials } from '@txmq/outbox';
import { eventually } from '@txmq/test-support';
import { lastValueFrom } from 'rxjs';
import { OnMessage, TransactionHost, Transactional, TxmqClient, TxmqModule, TxmqProducer, TxmqServer, type TxmqModuleOptions } from '../src/index.js';
import { testDb, type TestDb } from './helpers.js';

const QUIET = { info: () => undefined, warn: () => undefined, error: () => undefined };
const SECRET = `nest-${randomBytes(8).toString('hex')}`;
const RIGHT: ClientCredentials = { accessKey: 'shop', accessSecret: SECRET };
const WRONG: ClientCredentials = { accessKey: 'shop', accessSecret: 'not-the-secret' };
const suffix = randomBytes(4).toString('hex');
const name = (what: string) => `sec-${what}-${suffix}`;

const dir = mkdtempSync(join(tmpdir(), 'txmq-nest-secured-'));
const certFile = join(dir, 'server.pem');
let broker: RunningBroker;
let t: TestDb;

/** What the handlers below received, by topic. */
const received = new Map<string, unknown[]>();
function record(topic: string, body: unknown): void {
  received.set(topic, [...(received.get(topic) ?? []), body]);
}

@Injectable()
class Shop {
  constructor(
    @Inject(TransactionHost) readonly host: TransactionHost,
    @Inject(TxmqProducer) readonly producer: TxmqProducer,
  ) {}

  @Transactional()
  async order(id: string): Promise<void> {
    await this.host.tx.insertInto(t.users).values({ id }).execute();
    await this.producer.send({ topic: name('orders'), body: { id } });
  }

  @OnMessage({ topic: name('orders'), group: name('billing') })
  onOrder(message: Parameters<typeof decodeBody>[0]): void {
    record(name('orders'), decodeBody(message));
  }

  @OnMessage({ topic: name('direct'), group: name('billing') })
  onDirect(message: Parameters<typeof decodeBody>[0]): void {
    record(name('direct'), decodeBody(message));
  }
}

@Injectable()
class Ledger {
  constructor(
    @Inject(TransactionHost) readonly host: TransactionHost,
    @Inject(TxmqProducer) readonly producer: TxmqProducer,
  ) {}

  @Transactional()
  async book(id: string): Promise<void> {
    await this.host.tx.insertInto(t.users).values({ id }).execute();
    await this.producer.send({ topic: name('ledger'), body: { id } });
  }

  @OnMessage({ topic: name('ledger'), group: name('ledger') })
  onBooked(message: Parameters<typeof decodeBody>[0]): void {
    record(name('ledger'), decodeBody(message));
  }
}

function options(overrides: Partial<TxmqModuleOptions>): TxmqModuleOptions {
  return {
    endpoints: broker.endpoint, db: t.db, schema: t.schema, logger: QUIET, tlsRootCertFile: certFile,
    relay: { pollIntervalMs: 100 }, shutdownTimeoutMs: 5_000, ...overrides,
  };
}

async function app(providers: (typeof Shop | typeof Ledger)[], overrides: Partial<TxmqModuleOptions>): Promise<TestingModule> {
  return Test.createTestingModule({ imports: [TxmqModule.forRoot(options(overrides))], providers }).compile();
}

/** What `promise` rejected with (fails when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => assert.fail('expected a rejection'),
    (error: unknown) => error as Error,
  );
}

describe('a secured broker (users and TLS)', () => {
  before(async () => {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', join(dir, 'server-key.pem'), '-out', certFile,
    ], { stdio: 'ignore' });
    broker = await startBroker({
      port: 0,
      memory: true,
      logLevel: 'silent',
      config: {
        minInvisibleMs: 100,
        pushLongPollingMs: 1000,
        tls: { certFile, keyFile: join(dir, 'server-key.pem') },
        acl: { users: [{ accessKey: 'shop', secret: SECRET, topics: { 'sec-*': ['pub', 'sub'] }, groups: { 'sec-*': ['sub'] } }] },
      },
    });
    t = await testDb();
  });
  after(async () => {
    await broker?.close();
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('right credentials: the relay publishes the outbox, the producer sends directly, @OnMessage consumes both', async () => {
    const moduleRef = await app([Shop], { credentials: RIGHT });
    try {
      await moduleRef.init();
      const shop = moduleRef.get(Shop);
      await shop.order('ada');
      assert.equal((await shop.producer.send({ topic: name('direct'), body: 'straight' })).via, 'broker');
      await eventually('both consumed', () => received.get(name('orders'))?.length === 1 && received.get(name('direct'))?.length === 1, { timeoutMs: 10_000 });
      assert.deepEqual(received.get(name('orders')), [{ id: 'ada' }]);
      assert.deepEqual(received.get(name('direct')), ['straight']);
    } finally {
      await moduleRef.close();
    }
  });

  it("right credentials with delivery: 'half-message': the half message commits and is consumed", async () => {
    const moduleRef = await app([Ledger], { credentials: RIGHT, delivery: 'half-message', transactionalTopics: [name('ledger')], relay: false });
    try {
      await moduleRef.init();
      await moduleRef.get(Ledger).book('bob');
      await eventually('consumed', () => received.get(name('ledger'))?.length === 1, { timeoutMs: 10_000 });
      assert.deepEqual(received.get(name('ledger')), [{ id: 'bob' }]);
    } finally {
      await moduleRef.close();
    }
  });

  it('a wrong secret: the application does not start; the error is the broker refusing the signature', async () => {
    const moduleRef = await app([Shop], { credentials: WRONG });
    try {
      const error = await rejection(moduleRef.init());
      assert.match(error.message, /40100 UNAUTHORIZED: the signature for access key "shop" does not match: wrong secret/);
      assert.ok(!error.message.includes(SECRET) && !error.message.includes(WRONG.accessSecret), 'no secret in the error');
    } finally {
      await moduleRef.close();
    }
  });

  it("no credentials at all, delivery: 'half-message': the start fails with the half-message sender's refusal", async () => {
    const moduleRef = await app([Ledger], { delivery: 'half-message', transactionalTopics: [name('ledger')], relay: false, consumers: false });
    try {
      const error = await rejection(moduleRef.init());
      assert.ok(error instanceof PublishError, String(error));
      assert.equal(error.status, 40100);
      assert.match(error.message, /connecting the transactional sender failed: .*40100 UNAUTHORIZED: no credentials/);
    } finally {
      await moduleRef.close();
    }
  });

  it('TxmqServer and TxmqClient take the same credentials and TLS options; a wrong secret fails listen()', async () => {
    const seen: unknown[] = [];
    @Controller()
    class Events {
      @EventPattern<string>(name('events'))
      onEvent(@Payload() payload: unknown): void {
        seen.push(payload);
      }
    }
    const serverRef = await Test.createTestingModule({ controllers: [Events] }).compile();
    const server = serverRef.createNestMicroservice({
      strategy: new TxmqServer({ endpoints: broker.endpoint, group: name('events'), credentials: RIGHT, tlsRootCertFile: certFile, logger: QUIET }),
      logger: false,
    });
    const client = new TxmqClient({ endpoints: broker.endpoint, credentials: RIGHT, tlsRootCertFile: certFile, logger: QUIET });
    try {
      await server.listen();
      await lastValueFrom(client.emit(name('events'), { n: 1 }));
      await eventually('the event', () => seen.length === 1, { timeoutMs: 10_000 });
      assert.deepEqual(seen, [{ n: 1 }]);
    } finally {
      await client.close();
      await server.close();
    }

    const refusedRef = await Test.createTestingModule({ controllers: [Events] }).compile();
    const refused = refusedRef.createNestMicroservice({
      strategy: new TxmqServer({ endpoints: broker.endpoint, group: name('events'), credentials: WRONG, tlsRootCertFile: certFile, logger: QUIET }),
      logger: false,
    });
    try {
      const error = await rejection(refused.listen());
      assert.match(error.message, /40100 UNAUTHORIZED: the signature for access key "shop" does not match: wrong secret/);
    } finally {
      await refused.close();
    }
  });

  const badOptions: [string, string, Partial<TxmqModuleOptions>][] = [
    ['credentials', 'a string', { credentials: 'shop:secret' as unknown as ClientCredentials }],
    ['credentials', 'an unknown key', { credentials: { ...RIGHT, region: 'eu' } as ClientCredentials }],
    ['credentials.accessSecret', 'empty', { credentials: { accessKey: 'shop', accessSecret: '' } }],
    ['credentials.accessKey', 'with a space', { credentials: { accessKey: 'has space', accessSecret: 'x' } }],
    ['sslEnabled', 'a string', { sslEnabled: 'yes' as unknown as boolean }],
    ['tlsRootCertFile', 'a missing file', { tlsRootCertFile: join(dir, 'missing.pem') }],
    ['tlsRootCertFile', 'with sslEnabled: false', { sslEnabled: false, tlsRootCertFile: certFile }],
  ];
  for (const [option, what, patch] of badOptions) {
    it(`a bad ${option} (${what}) fails when the module is created, naming the option`, async () => {
      const error = await rejection(app([], { relay: false, ...patch }));
      assert.ok(isOutboxError(error, 'INVALID_OPTIONS'), String(error));
      assert.equal((error as { option?: string }).option, option, error.message);
      assert.ok(!error.message.includes(SECRET), 'no secret in the error');
    });
  }
});
