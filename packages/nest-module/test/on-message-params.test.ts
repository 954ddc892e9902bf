import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createParamDecorator, Inject, Injectable, Module, ParseIntPipe, StandardSchemaValidationPipe, UsePipes,
  type ExecutionContext, type INestApplicationContext, type ParameterDecoratorOptions, type PipeTransform,
} from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { Ctx, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import type { RunningBroker } from '@txmq/broker';
import { createProducer, createSimpleConsumer, type ReceivedMessage } from '@txmq/broker/client';
import { eventually } from '@txmq/test-support';
import { OnMessage, TransactionHost, TxmqContext, TxmqModule, TxmqProducer } from '../src/index.js';
import { CONTEXT_PARAM, PARAM_ARGS_METADATA, PAYLOAD_PARAM } from '../src/consumers/message-params.js';
import { startFastBroker, testDb, type TestDb } from './helpers.js';

const QUIET = { info: () => undefined, warn: () => undefined, error: () => undefined };
const JSON_BODY = { 'txmq-content-type': 'application/json' };

let t: TestDb;
let broker: RunningBroker;
/** What each handler was called with, by handler. */
const seen = new Map<string, unknown[][]>();
function record(handler: string, ...args: unknown[]): void {
  seen.set(handler, [...(seen.get(handler) ?? []), args]);
}

type Schema = NonNullable<ParameterDecoratorOptions['schema']>;
/** A Standard Schema accepting `{ id: string }`, as a validation library would provide one. */
const withId = {
  '~standard': {
    version: 1,
    vendor: 'txmq-test',
    validate: (value: unknown) =>
      value !== null && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string'
        ? { value }
        : { issues: [{ message: 'id must be a string', path: ['id'] }] },
  },
} as unknown as Schema;

/** Upper-cases the payload's `id`. */
class UpperCaseId implements PipeTransform {
  transform(value: unknown): unknown {
    const id = (value as { id: string }).id;
    return { ...(value as object), id: id.toUpperCase() };
  }
}

/** Fails (with a plain error: retried) the first time it sees each id. */
class FailsOnce implements PipeTransform {
  readonly #seen = new Set<string>();
  transform(value: unknown): unknown {
    const id = (value as { id: string }).id;
    if (!this.#seen.has(id)) {
      this.#seen.add(id);
      throw new Error(`pipe refuses ${id} once`);
    }
    return value;
  }
}

/** A custom parameter decorator: the delivery attempt, read from the execution context. */
const Attempt = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  assert.equal(context.getType(), 'txmq');
  return (context.getArgByIndex(1) as TxmqContext).getDeliveryAttempt();
});

@Injectable()
class Handlers {
  constructor(
    @Inject(TransactionHost) readonly host: TransactionHost,
    @Inject(TxmqProducer) readonly producer: TxmqProducer,
  ) {}

  @OnMessage({ topic: 'p-payload', group: 'g-p-payload' })
  async payload(@Payload() body: { id: string }, @Ctx() context: TxmqContext): Promise<void> {
    record('payload', body, context);
    await this.host.tx.insertInto(t.users).values({ id: body.id }).execute();
  }

  @OnMessage({ topic: 'p-plain', group: 'g-p-plain' })
  async plain(message: ReceivedMessage, context: TxmqContext): Promise<void> {
    record('plain', message, context);
  }

  @OnMessage({ topic: 'p-int', group: 'g-p-int' })
  async int(@Payload('count', ParseIntPipe) count: number, @Payload('id') id: string): Promise<void> {
    record('int', count, id);
  }

  @OnMessage({ topic: 'p-use-pipes', group: 'g-p-use-pipes' })
  @UsePipes(UpperCaseId)
  async usePipes(@Payload() body: { id: string }): Promise<void> {
    record('usePipes', body);
  }

  @OnMessage({ topic: 'p-schema', group: 'g-p-schema' })
  async schema(@Payload({ schema: withId }) body: { id: string }): Promise<void> {
    record('schema', body);
  }

  @OnMessage({ topic: 'p-retry', group: 'g-p-retry' })
  async retried(@Payload(new FailsOnce()) body: { id: string }, @Attempt() attempt: number): Promise<void> {
    record('retried', body, attempt);
    await this.host.tx.insertInto(t.users).values({ id: body.id }).execute();
  }
}

// StandardSchemaValidationPipe validates the parameters that declare a schema and passes the others through.
@Module({ providers: [Handlers, { provide: APP_PIPE, useValue: new StandardSchemaValidationPipe() }] })
class HandlersModule {}

async function send(topic: string, body: string, id: string): Promise<void> {
  const producer = createProducer({ endpoints: broker.endpoint, logger: QUIET });
  try {
    await producer.send({ topic, body, properties: { 'txmq-message-id': id, ...JSON_BODY } });
  } finally {
    await producer.close();
  }
}

async function deadLetter(group: string, id: string): Promise<ReceivedMessage> {
  const reader = createSimpleConsumer({ endpoints: broker.endpoint, group: `${group}-reader`, subscriptions: { [`%DLQ%${group}`]: '*' }, awaitMs: 1000, logger: QUIET });
  try {
    return await eventually(`the dead letter ${id}`, async () => (await reader.receive(16)).find((m) => m.properties['txmq-message-id'] === id));
  } finally {
    await reader.close();
  }
}

describe('@OnMessage parameters and pipes', () => {
  let app: INestApplicationContext;

  before(async () => {
    broker = await startFastBroker(['g-p-int', 'g-p-schema', 'g-p-retry']);
    t = await testDb();
    const moduleRef = await Test.createTestingModule({
      imports: [TxmqModule.forRoot({ endpoints: broker.endpoint, db: t.db, schema: t.schema, relay: false, logger: QUIET, isGlobal: true }), HandlersModule],
    })
      .setLogger({ log: () => undefined, warn: () => undefined, error: () => undefined })
      .compile();
    app = await moduleRef.init();
  });
  after(async () => {
    await app?.close();
    await t?.close();
    await broker?.close();
  });

  it('@Payload() and @Ctx() of @nestjs/microservices record what the params factory reads', () => {
    const metadata = Reflect.getMetadata(PARAM_ARGS_METADATA, Handlers, 'payload') as Record<string, { index: number }>;
    assert.deepEqual(Object.keys(metadata).sort(), [`${CONTEXT_PARAM}:1`, `${PAYLOAD_PARAM}:0`].sort());
  });

  it('@Payload() is the decoded body and @Ctx() the TxmqContext, inside the inbox transaction', async () => {
    await send('p-payload', JSON.stringify({ id: 'decoded' }), 'payload-1');
    const [[body, context]] = (await eventually('the handler', () => seen.get('payload'))) as [[unknown, TxmqContext]];
    assert.deepEqual(body, { id: 'decoded' });
    assert.ok(context instanceof TxmqContext);
    assert.equal(context.getTopic(), 'p-payload');
    assert.equal(context.getMessageId(), 'payload-1');
    await eventually('its write committed', async () => (await t.userIds()).includes('decoded'));
  });

  it('without parameter decorators a handler still gets (message, context)', async () => {
    await send('p-plain', JSON.stringify({ id: 'plain' }), 'plain-1');
    const [[message, context]] = (await eventually('the handler', () => seen.get('plain'))) as [[ReceivedMessage, TxmqContext]];
    assert.ok(Buffer.isBuffer(message.body));
    assert.equal(message.properties['txmq-message-id'], 'plain-1');
    assert.ok(context instanceof TxmqContext);
  });

  it("@Payload('field', ParseIntPipe) runs the pipe; a value it refuses sends the message to %DLQ%<group> at once", async () => {
    await send('p-int', JSON.stringify({ id: 'bad', count: 'many' }), 'int-bad');
    await send('p-int', JSON.stringify({ id: 'good', count: '42' }), 'int-good');
    await eventually('the good one', () => seen.get('int')?.some(([, id]) => id === 'good'));
    assert.deepEqual(seen.get('int')?.find(([, id]) => id === 'good'), [42, 'good']);
    const dead = await deadLetter('g-p-int', 'int-bad');
    assert.equal(dead.deliveryAttempt, 1, 'a validation failure is not retried');
    assert.equal(seen.get('int')?.some(([, id]) => id === 'bad'), false, 'the handler never ran for it');
  });

  it('@UsePipes() on the handler applies to its @Payload()', async () => {
    await send('p-use-pipes', JSON.stringify({ id: 'shout' }), 'use-pipes-1');
    const [[body]] = (await eventually('the handler', () => seen.get('usePipes'))) as [[unknown]];
    assert.deepEqual(body, { id: 'SHOUT' });
  });

  it('a global pipe (APP_PIPE) validates @Payload({ schema }); an invalid payload goes to %DLQ%<group> at once', async () => {
    await send('p-schema', JSON.stringify({ id: 7 }), 'schema-bad');
    await send('p-schema', JSON.stringify({ id: 'valid' }), 'schema-good');
    await eventually('the valid one', () => seen.get('schema')?.length === 1);
    assert.deepEqual(seen.get('schema'), [[{ id: 'valid' }]]);
    assert.equal((await deadLetter('g-p-schema', 'schema-bad')).deliveryAttempt, 1);
  });

  it('a body that is not valid JSON goes to %DLQ%<group> at once', async () => {
    await send('p-schema', '{not json', 'schema-garbled');
    const dead = await deadLetter('g-p-schema', 'schema-garbled');
    assert.equal(dead.deliveryAttempt, 1);
    assert.equal(dead.body.toString(), '{not json');
  });

  it('a pipe that throws another error fails the delivery like the handler would: rolled back and redelivered', async () => {
    await send('p-retry', JSON.stringify({ id: 'again' }), 'retry-1');
    const [[body, attempt]] = (await eventually('the second delivery', () => seen.get('retried'))) as [[unknown, number]];
    assert.deepEqual(body, { id: 'again' });
    assert.equal(attempt, 2, 'a custom parameter decorator reads the context');
    await eventually('its write committed', async () => (await t.userIds()).includes('again'));
    assert.equal(seen.get('retried')?.length, 1);
  });
});
