import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Inject, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { isOutboxError, type Outbox } from '@txmq/outbox';
import { sql } from 'kysely';
import { TransactionHost, TXMQ_OUTBOX, TxmqModule, TxmqProducer, type TxmqModuleOptions } from '../src/index.js';
import { connectionCounter, testDb, type TestDb } from './helpers.js';

let t: TestDb;
let broker: Awaited<ReturnType<typeof connectionCounter>>;

/** A config provider, as an app's ConfigModule would offer it. */
const CONFIG = Symbol('config');
@Module({ providers: [{ provide: CONFIG, useFactory: () => ({ endpoints: broker.endpoint, schema: t.schema }) }], exports: [CONFIG] })
class ConfigModule {}

/** A consumer of the module's providers in another module (works only when the module is global). */
@Injectable()
class Consumer {
  constructor(
    @Inject(TxmqProducer) readonly producer: TxmqProducer,
    @Inject(TransactionHost) readonly host: TransactionHost,
  ) {}
}
@Module({ providers: [Consumer] })
class FeatureModule {}

async function outboxTableExists(schema: string): Promise<boolean> {
  const { rows } = await sql<{ exists: boolean }>`select to_regclass(${`${schema}.outbox`}) is not null as exists`.execute(t.db);
  return rows[0]?.exists === true;
}

describe('TxmqModule', () => {
  before(async () => {
    t = await testDb();
    broker = await connectionCounter();
  });
  after(async () => {
    await broker?.close();
    await t?.close();
  });

  it('forRoot does no I/O before bootstrap, then migrates at bootstrap', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [TxmqModule.forRoot({ endpoints: broker.endpoint, db: t.db, schema: t.schema, relay: false })],
    }).compile();
    assert.equal(await outboxTableExists(t.schema), false, 'no migration before bootstrap');
    await moduleRef.init();
    assert.equal(await outboxTableExists(t.schema), true, 'migrated at bootstrap');
    await moduleRef.close();
    assert.equal(broker.connections(), 0, 'the broker was never contacted');
  });

  it('migrate: false leaves the schema alone', async () => {
    const schema = `${t.schema}_nomigrate`;
    const moduleRef = await Test.createTestingModule({
      imports: [TxmqModule.forRoot({ endpoints: broker.endpoint, db: t.db, schema, relay: false, migrate: false })],
    }).compile();
    await moduleRef.init();
    assert.equal(await outboxTableExists(schema), false);
    await moduleRef.close();
  });

  it('a relay is created but not started while the module compiles', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [TxmqModule.forRoot({ endpoints: broker.endpoint, db: t.db, schema: t.schema })],
    }).compile();
    assert.equal(broker.connections(), 0);
    await moduleRef.close();
    assert.equal(broker.connections(), 0);
  });

  it('forRootAsync takes its options from a factory with imports and inject, and isGlobal exports everywhere', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        TxmqModule.forRootAsync({
          imports: [ConfigModule],
          inject: [CONFIG],
          useFactory: (config: { endpoints: string; schema: string }): TxmqModuleOptions => ({ ...config, db: t.db, relay: false }),
          isGlobal: true,
        }),
        FeatureModule,
      ],
    }).compile();
    await moduleRef.init();
    const consumer = moduleRef.get(Consumer);
    const outbox = moduleRef.get<Outbox>(TXMQ_OUTBOX);
    assert.equal(outbox.schema, t.schema);
    const before = (await outbox.stats()).pending;
    await consumer.host.withTransaction(() => consumer.producer.send({ topic: 'async-configured', body: 'hello' }));
    assert.equal((await outbox.stats()).pending, before + 1);
    await moduleRef.close();
    assert.equal(broker.connections(), 0);
  });

  it('without isGlobal the providers are not visible to other modules', async () => {
    await assert.rejects(
      Test.createTestingModule({
        imports: [TxmqModule.forRoot({ endpoints: broker.endpoint, db: t.db, relay: false }), FeatureModule],
      }).compile(),
      /TxmqProducer/,
    );
  });

  const badOptions: [string, Record<string, unknown>][] = [
    ['db', { db: undefined }],
    ['endpoints', { endpoints: '' }],
    ['delivery', { delivery: 'carrier-pigeon' }],
    ['relay', { relay: 'yes' }],
    ['consumers', { consumers: 1 }],
    ['schema', { schema: 'bad schema name' }],
    ['colour', { colour: 'blue' }],
  ];
  for (const [option, patch] of badOptions) {
    it(`a bad ${option} (${JSON.stringify(patch[option] ?? patch)}) fails at start-up, naming the option`, async () => {
      const options = { endpoints: broker.endpoint, db: t.db, ...patch } as unknown as TxmqModuleOptions;
      await assert.rejects(Test.createTestingModule({ imports: [TxmqModule.forRoot(options)] }).compile(), (error: unknown) => {
        assert.ok(isOutboxError(error, 'INVALID_OPTIONS'), String(error));
        assert.equal((error as { option?: string }).option, option);
        return true;
      });
    });
  }
});
