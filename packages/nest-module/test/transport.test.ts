import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { Controller, Inject, Injectable, Module, type INestMicroservice, type Type } from '@nestjs/common';
import { ClientProxy, ClientsModule, Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import type { RunningBroker } from '@txmq/broker';
import { startFastBroker } from './helpers.js';
import type { ReceivedMessage } from '@txmq/broker/client';
import { MESSAGE_ID_PROPERTY } from '@txmq/outbox';
import { eventually } from '@txmq/test-support';
import { lastValueFrom, of, throwError, timer, mergeMap, type Observable } from 'rxjs';
import { RequestResponseUnsupportedError, TxmqClient, TxmqContext, TxmqServer, type TxmqEmitResult } from '../src/index.js';

const quietLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const REQUEST_TIMEOUT_MS = 1000;
const GROUPS = ['receive', 'retry', 'observable', 'clients', 'drain'] as const;
const suffix = randomBytes(4).toString('hex');
const group = (name: (typeof GROUPS)[number]): string => `nest-${name}-${suffix}`;
const topic = (name: string): string => `nest-${name}-${suffix}`;

let broker: RunningBroker;

/** What the handlers of a test saw. */
interface Seen {
  readonly payload: unknown;
  readonly message: ReceivedMessage;
  readonly context: unknown;
}

/** A microservice app of `controllers` (and `imports`) served by a TxmqServer in `groupName`. */
async function serve(groupName: string, controllers: Type[], imports: Type[] = []): Promise<INestMicroservice> {
  const moduleRef = await Test.createTestingModule({ imports, controllers }).compile();
  const app = moduleRef.createNestMicroservice({
    strategy: new TxmqServer({ endpoints: broker.endpoint, group: groupName, requestTimeoutMs: REQUEST_TIMEOUT_MS, logger: quietLogger }),
    logger: false,
  });
  await app.listen();
  return app;
}

describe('TxmqServer and TxmqClient', () => {
  before(async () => {
    broker = await startFastBroker(GROUPS.map(group));
  });
  after(async () => {
    await broker?.close();
  });

  it('@EventPattern handlers receive what TxmqClient.emit publishes: JSON parsed, text as text, a TxmqContext', async () => {
    const seen: Seen[] = [];
    @Controller()
    class Orders {
      @EventPattern<string>(topic('orders'))
      onOrder(@Payload() payload: unknown, @Ctx() context: TxmqContext): void {
        seen.push({ payload, message: context.getMessage(), context });
      }
    }
    const app = await serve(group('receive'), [Orders]);
    const client = new TxmqClient({ endpoints: broker.endpoint, requestTimeoutMs: REQUEST_TIMEOUT_MS, logger: quietLogger });
    try {
      const sent = await lastValueFrom<TxmqEmitResult>(client.emit(topic('orders'), { orderId: 7, items: ['a'] }));
      await lastValueFrom(client.emit(topic('orders'), 'plain text'));
      await eventually('both events', () => seen.length === 2, { timeoutMs: 8000 });
      const json = seen.find((s) => typeof s.payload === 'object');
      assert.deepEqual(json?.payload, { orderId: 7, items: ['a'] });
      assert.equal(json?.message.properties[MESSAGE_ID_PROPERTY], sent.messageId);
      assert.ok(json?.context instanceof TxmqContext);
      assert.equal((json.context as TxmqContext).getTopic(), topic('orders'));
      assert.equal((json.context as TxmqContext).getDeliveryAttempt(), 1);
      assert.deepEqual(seen.filter((s) => typeof s.payload === 'string').map((s) => s.payload), ['plain text']);
    } finally {
      await client.close();
      await app.close();
    }
  });

  it('a handler that throws has the message redelivered (deliveryAttempt 2), and it then succeeds', async () => {
    const attempts: number[] = [];
    let succeeded = 0;
    @Controller()
    class Flaky {
      @EventPattern<string>(topic('flaky'))
      async onEvent(@Ctx() context: TxmqContext): Promise<void> {
        attempts.push(context.getDeliveryAttempt());
        if (context.getDeliveryAttempt() === 1) throw new Error('not yet');
        succeeded += 1;
      }
    }
    const app = await serve(group('retry'), [Flaky]);
    const client = new TxmqClient({ endpoints: broker.endpoint, logger: quietLogger });
    try {
      await lastValueFrom(client.emit(topic('flaky'), { n: 1 }));
      await eventually('the redelivery succeeds', () => succeeded === 1, { timeoutMs: 8000 });
      assert.deepEqual(attempts, [1, 2]);
    } finally {
      await client.close();
      await app.close();
    }
    assert.deepEqual(attempts, [1, 2], 'acknowledged after the second attempt: not delivered again');
  });

  it('an observable handler is acknowledged when it completes and redelivered when it errors', async () => {
    const attempts: number[] = [];
    let completed = 0;
    @Controller()
    class Streaming {
      @EventPattern<string>(topic('stream'))
      onEvent(@Ctx() context: TxmqContext): Observable<string> {
        const attempt = context.getDeliveryAttempt();
        attempts.push(attempt);
        // The base Server connects such a stream without observing its error: here it must count.
        if (attempt === 1) return timer(50).pipe(mergeMap(() => throwError(() => new Error('stream failed'))));
        return timer(50).pipe(mergeMap(() => {
          completed += 1;
          return of('done');
        }));
      }
    }
    const app = await serve(group('observable'), [Streaming]);
    const client = new TxmqClient({ endpoints: broker.endpoint, logger: quietLogger });
    try {
      await lastValueFrom(client.emit(topic('stream'), 'go'));
      await eventually('the stream completes', () => completed === 1, { timeoutMs: 8000 });
    } finally {
      await client.close();
      await app.close();
    }
    assert.deepEqual(attempts, [1, 2]);
  });

  it('ClientsModule.register with customClass: TxmqClient gives a ClientProxy that emits; send() is refused', async () => {
    const seen: unknown[] = [];
    @Injectable()
    class Notifier {
      constructor(@Inject('TXMQ') readonly client: ClientProxy) {}
    }
    @Controller()
    class Listener {
      @EventPattern<string>(topic('registered'))
      onEvent(@Payload() payload: unknown): void {
        seen.push(payload);
      }
    }
    @Module({
      imports: [ClientsModule.register([{ name: 'TXMQ', customClass: TxmqClient, options: { endpoints: broker.endpoint, logger: quietLogger } }])],
      providers: [Notifier],
    })
    class NotifierModule {}
    const app = await serve(group('clients'), [Listener], [NotifierModule]);
    try {
      const { client } = app.get(Notifier);
      assert.ok(client instanceof TxmqClient);
      await lastValueFrom(client.emit(topic('registered'), { hello: 'world' }));
      await eventually('the event', () => seen.length === 1, { timeoutMs: 8000 });
      assert.deepEqual(seen, [{ hello: 'world' }]);
      await assert.rejects(lastValueFrom(client.send(topic('registered'), {})), RequestResponseUnsupportedError);
    } finally {
      await app.close();
    }
  });

  it('closing the app during a slow handler waits for it to finish', async () => {
    const events: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    @Controller()
    class Slow {
      @EventPattern<string>(topic('slow'))
      async onEvent(): Promise<void> {
        events.push('handler started');
        await gate;
        events.push('handler finished');
      }
    }
    const app = await serve(group('drain'), [Slow]);
    const client = new TxmqClient({ endpoints: broker.endpoint, logger: quietLogger });
    await lastValueFrom(client.emit(topic('slow'), 'slow'));
    await client.close();
    await eventually('the handler runs', () => events.includes('handler started'), { timeoutMs: 8000 });
    const closing = app.close().then(() => events.push('closed'));
    // Longer than the consumer's own shutdown takes (long poll 1 s, 1 s for the last acks).
    await delay(3000);
    events.push('released');
    release();
    await closing;
    assert.deepEqual(events, ['handler started', 'released', 'handler finished', 'closed']);
  });

  it('refuses @MessagePattern handlers at listen, and bad options at construction', async () => {
    assert.throws(() => new TxmqServer({ endpoints: broker.endpoint, group: '' }), /group/);
    assert.throws(() => new TxmqServer({ endpoints: '', group: 'g' }), /endpoints/);
    @Controller()
    class Rpc {
      @MessagePattern<string>(topic('rpc'))
      answer(): string {
        return 'no';
      }
    }
    const moduleRef = await Test.createTestingModule({ controllers: [Rpc] }).compile();
    const app = moduleRef.createNestMicroservice({ strategy: new TxmqServer({ endpoints: broker.endpoint, group: 'unused' }), logger: false });
    await assert.rejects(app.listen(), RequestResponseUnsupportedError);
    await app.close();
  });
});
