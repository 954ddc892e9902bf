// `@OnMessage({ sql })` in an application: the broker delivers only the messages whose headers
// (user properties) match the group's SQL92 filter, and refuses one that does not parse.
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Inject, Injectable, Module, type INestApplicationContext, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { BrokerRefusedError, type ReceivedMessage } from '@txmq/broker/client';
import { eventually } from '@txmq/test-support';
import { OnMessage, TransactionHost, Transactional, TxmqProducer } from '../src/index.js';
import { TxmqTestingModule } from '../src/testing/index.js';

const QUIET = { info: () => undefined, warn: () => undefined, error: () => undefined };
const TOPIC = 'sql-orders';

/** What each group's handler saw: message bodies. */
const seen = { big: [] as string[], euOrFlagged: [] as string[], all: [] as string[] };

@Injectable()
class Orders {
  constructor(
    @Inject(TransactionHost) readonly host: TransactionHost,
    @Inject(TxmqProducer) private readonly producer: TxmqProducer,
  ) {}

  @Transactional()
  async place(orders: readonly { id: string; tag?: string; headers?: Record<string, string> }[]): Promise<void> {
    for (const { id, tag, headers } of orders) {
      await this.producer.send({ topic: TOPIC, body: id, ...(tag !== undefined && { tag }), ...(headers !== undefined && { headers }) });
    }
  }

  @OnMessage({ topic: TOPIC, group: 'sql-big', sql: 'amount > 100' })
  async big(message: ReceivedMessage): Promise<void> {
    seen.big.push(message.body.toString());
  }

  @OnMessage({ topic: TOPIC, group: 'sql-eu', sql: "region = 'eu' OR TAGS = 'flagged'", tag: '*' })
  async euOrFlagged(message: ReceivedMessage): Promise<void> {
    seen.euOrFlagged.push(message.body.toString());
  }

  @OnMessage({ topic: TOPIC, group: 'sql-all' })
  async all(message: ReceivedMessage): Promise<void> {
    seen.all.push(message.body.toString());
  }
}

@Module({ providers: [Orders] })
class OrdersModule {}

/** Compiles an application of the testing module and `feature`; `run` gets its init(), and the module is closed after. */
async function withApp(feature: Type, run: (init: () => Promise<INestApplicationContext>) => Promise<void>): Promise<void> {
  const moduleRef = await Test.createTestingModule({ imports: [TxmqTestingModule.forRoot({ isGlobal: true, logger: QUIET }), feature] }).compile();
  moduleRef.useLogger(false);
  try {
    await run(() => moduleRef.init());
  } finally {
    await moduleRef.close();
  }
}

describe('@OnMessage({ sql })', () => {
  it("each group's handler receives only the messages its filter matches", async () => {
    await withApp(OrdersModule, async (init) => {
      const orders = (await init()).get(Orders);
      await orders.place([
        { id: 'big-eu', headers: { amount: '250', region: 'eu' } },
        { id: 'small-eu', headers: { amount: '20', region: 'eu' } },
        { id: 'big-us', headers: { amount: '101.5', region: 'us' } },
        { id: 'small-us-flagged', tag: 'flagged', headers: { amount: '5', region: 'us' } },
        { id: 'no-amount-us', headers: { region: 'us' } },
        { id: 'bare' },
      ]);
      await eventually('every message handled by the unfiltered group', () => seen.all.length === 6, { timeoutMs: 15_000 });
      // Stored after all the others, so once a group got it, the broker had handed that group every earlier match.
      await orders.place([{ id: 'last', headers: { amount: '1000', region: 'eu' } }]);
      await eventually('the filtered groups', () => seen.big.includes('last') && seen.euOrFlagged.includes('last') && seen.big.length >= 3 && seen.euOrFlagged.length >= 4, { timeoutMs: 15_000 });
      assert.deepEqual([...seen.big].sort(), ['big-eu', 'big-us', 'last'], 'a message without amount is not delivered to a comparison');
      assert.deepEqual([...seen.euOrFlagged].sort(), ['big-eu', 'last', 'small-eu', 'small-us-flagged']);
    });
  });

  it('an expression that does not parse fails the application start with ILLEGAL_FILTER_EXPRESSION naming the position', async () => {
    @Injectable()
    class Broken {
      @OnMessage({ topic: TOPIC, group: 'sql-broken', sql: 'amount >' })
      async broken(): Promise<void> {}
    }
    @Module({ providers: [Broken] })
    class BrokenModule {}

    let error: unknown;
    await withApp(BrokenModule, async (init) => {
      error = await init().then(() => assert.fail('the application started'), (e: unknown) => e);
    });
    assert.ok(error instanceof BrokerRefusedError, String(error));
    assert.equal(error.code, 'ILLEGAL_FILTER_EXPRESSION', error.message);
    assert.match(error.message, /at position 9\b/);
  });
});
