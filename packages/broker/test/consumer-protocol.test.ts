// The typed consumers against a fake server that answers as RocketMQ 5's proxy does: Settings
// with batch 32 and a 20 s long poll, ReceiveMessage as status / messages / delivery timestamp,
// and AckMessage in the proxy's batch mode (entries in another order than requested).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Server, ServerCredentials, type ServerDuplexStream, type ServerUnaryCall, type ServerWritableStream, type sendUnaryData } from '@grpc/grpc-js';
import { BrokerRefusedError, ConfigError, createPushConsumer, createSimpleConsumer } from '../src/client/index.js';
import { loadMessagingService } from '../src/wire/proto.js';
import type {
  AckMessageRequest, ChangeInvisibleDurationRequest, ReceiveMessageRequest, Settings, TelemetryCommand, WireMessage,
} from '../src/wire/types.js';

const OK = { code: 20000, message: 'OK' };
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

interface Receive { readonly request: ReceiveMessageRequest; readonly deadline: number; readonly at: number; cancelled: boolean; answer(messages: WireMessage[]): void }

/** A proxy-like MessagingService that records what the consumers send. */
class ConsumerProxy {
  readonly settings: Settings[] = [];
  readonly receives: Receive[] = [];
  readonly acks: AckMessageRequest[] = [];
  readonly changes: ChangeInvisibleDurationRequest[] = [];
  readonly calls: string[] = [];
  /** Ack entries (by receipt handle) to refuse. */
  readonly refuse = new Set<string>();
  /** Ack entries (by receipt handle) answered with a handle the proxy renewed (auto-renew). */
  readonly renewed = new Set<string>();
  /** The brokers behind this proxy: each has a queue of every topic, all at the proxy's endpoint. */
  brokers = ['b'];
  endpoint = '';
  readonly #server = new Server();
  readonly #waiters: Array<() => void> = [];

  constructor() {
    const unary = <Req, Res>(name: string, handle: (request: Req) => Res) => (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
      this.calls.push(name);
      callback(null, handle(call.request));
      this.#changed();
    };
    this.#server.addService(loadMessagingService(), {
      QueryRoute: unary('QueryRoute', (request: { topic?: { name?: string } }) => {
        const [host, port] = this.endpoint.split(':');
        return {
          status: OK,
          messageQueues: this.brokers.map((name) => ({
            topic: request.topic, id: 0, permission: 4, acceptMessageTypes: [1], broker: { name, id: 0, endpoints: { scheme: 1, addresses: [{ host, port: Number(port) }] } },
          })),
        };
      }),
      Heartbeat: unary('Heartbeat', () => ({ status: OK })),
      NotifyClientTermination: unary('NotifyClientTermination', () => ({ status: OK })),
      AckMessage: unary('AckMessage', (request: AckMessageRequest) => {
        this.acks.push(request);
        // Batch mode: one result per broker for its entries, which come back in another order.
        const entries = [...(request.entries ?? [])].reverse().map((e) => ({
          messageId: e.messageId, receiptHandle: this.renewed.has(e.receiptHandle ?? '') ? `${e.receiptHandle}+renewed` : e.receiptHandle,
          status: this.refuse.has(e.receiptHandle ?? '') ? { code: 40013, message: 'expired handle' } : OK,
        }));
        const mixed = entries.some((e) => e.status.code !== 20000);
        return { status: mixed ? { code: 30000, message: 'mixed' } : OK, entries };
      }),
      ChangeInvisibleDuration: unary('ChangeInvisibleDuration', (request: ChangeInvisibleDurationRequest) => {
        this.changes.push(request);
        return { status: OK, receiptHandle: `${request.receiptHandle}+changed` };
      }),
      ReceiveMessage: (call: ServerWritableStream<ReceiveMessageRequest, unknown>) => {
        this.calls.push('ReceiveMessage');
        const deadline = call.getDeadline();
        const receive: Receive = {
          request: call.request,
          deadline: deadline instanceof Date ? deadline.getTime() : deadline,
          at: Date.now(),
          cancelled: false,
          answer: (messages) => {
            if (call.cancelled) return;
            call.write({ status: messages.length > 0 ? OK : { code: 40401, message: 'no new message' } });
            for (const message of messages) call.write({ message });
            call.write({ deliveryTimestamp: { seconds: Math.floor(Date.now() / 1000) } });
            call.end();
          },
        };
        this.receives.push(receive);
        call.on('cancelled', () => {
          receive.cancelled = true;
          this.#changed();
        });
        this.#changed();
      },
      Telemetry: (stream: ServerDuplexStream<TelemetryCommand, TelemetryCommand>) => {
        stream.on('data', (command: TelemetryCommand) => {
          if (!command.settings) return;
          this.settings.push(command.settings);
          stream.write({
            status: OK,
            settings: {
              ...command.settings,
              backoffPolicy: { maxAttempts: 17, exponentialBackoff: { initial: { seconds: 1 }, max: { seconds: 60 }, multiplier: 2 } },
              subscription: { ...command.settings.subscription, fifo: false, receiveBatchSize: 32, longPollingTimeout: { seconds: 20 } },
            },
          });
          this.#changed();
        });
        stream.on('end', () => stream.end());
        stream.on('error', () => undefined);
      },
    });
  }

  async start(): Promise<void> {
    const port = await new Promise<number>((resolve, reject) => this.#server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    this.endpoint = `127.0.0.1:${port}`;
  }

  /** Waits for `condition`, checked after each call or stream event; fails after 1000 events without it. */
  async until(condition: () => boolean): Promise<void> {
    for (let events = 0; !condition(); events++) {
      assert.ok(events < 1000, 'the awaited condition never came');
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  stop(): void {
    this.#server.forceShutdown();
  }

  #changed(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}

function delivered(id: string, topic: string): WireMessage {
  const body = Buffer.from(`body of ${id}`);
  return {
    topic: { name: topic },
    body,
    systemProperties: {
      messageId: id, receiptHandle: `handle-${id}`, deliveryAttempt: 1, bornTimestamp: { seconds: 1_700_000_000 },
      bodyDigest: { type: 2, checksum: createHash('md5').update(body).digest('hex').toUpperCase() }, bodyEncoding: 1,
    },
  };
}

let proxy: ConsumerProxy;
before(async () => {
  proxy = new ConsumerProxy();
  await proxy.start();
});
after(() => proxy.stop());

test('simple consumer: Settings with TAG and SQL filters; a receive within the proxy\'s limits; acks made together in one request, matched by handle, else by id (a renewed handle in a mixed answer)', async () => {
  const consumer = createSimpleConsumer({
    endpoints: proxy.endpoint, group: 'billing', subscriptions: { orders: 'paid || refunded', payments: { sql: 'amount > 10' } }, logger: quiet, awaitMs: 30_000,
  });
  await consumer.start();
  const settings = proxy.settings.at(-1)!;
  assert.equal(settings.clientType, 3);
  assert.equal(Number(settings.subscription?.longPollingTimeout?.seconds), 20, 'the long poll announced is the clamped one');
  assert.equal(settings.subscription?.group?.name, 'billing');
  assert.deepEqual(settings.subscription?.subscriptions?.map((s) => [s.topic?.name, s.expression?.type, s.expression?.expression]), [
    ['orders', 1, 'paid || refunded'], ['payments', 2, 'amount > 10'],
  ]);

  const receiving = consumer.receive(5, 15_000);
  await proxy.until(() => proxy.receives.length === 1);
  const receive = proxy.receives[0]!;
  assert.equal(receive.request.messageQueue?.topic?.name, 'orders');
  assert.deepEqual(receive.request.filterExpression, { type: 1, expression: 'paid || refunded' });
  assert.equal(receive.request.batchSize, 5);
  assert.equal(receive.request.autoRenew, false);
  assert.equal(Number(receive.request.invisibleDuration?.seconds), 15);
  const longPollMs = Number(receive.request.longPollingTimeout?.seconds) * 1000;
  assert.equal(longPollMs, 20_000, 'the long poll is clamped to the proxy\'s 20 s');
  assert.ok(receive.deadline - receive.at > longPollMs, 'the gRPC deadline leaves room after the long poll');
  receive.answer(['m1', 'm2', 'm3'].map((id) => delivered(id, 'orders')));
  const messages = await receiving;
  assert.deepEqual(messages.map((m) => m.body.toString()), ['body of m1', 'body of m2', 'body of m3']);

  proxy.refuse.add('handle-m2');
  proxy.renewed.add('handle-m3');
  const results = await Promise.allSettled(messages.map((m) => consumer.ack(m)));
  const ackRequests = proxy.acks.filter((a) => a.entries?.some((e) => e.messageId?.startsWith('m')));
  assert.ok(ackRequests.length <= 2, `acks made together travel together (${ackRequests.length} requests)`);
  assert.ok(ackRequests.every((a) => a.group?.name === 'billing' && a.topic?.name === 'orders' && (a.entries?.length ?? 0) > 0));
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  const refused = (results[1] as PromiseRejectedResult).reason as BrokerRefusedError;
  assert.ok(refused instanceof BrokerRefusedError && refused.code === 'INVALID_RECEIPT_HANDLE', String(refused));

  const second = consumer.receive(1, 15_000);
  await proxy.until(() => proxy.receives.length === 2);
  assert.equal(proxy.receives[1]!.request.messageQueue?.topic?.name, 'payments', 'topics take turns');
  assert.deepEqual(proxy.receives[1]!.request.filterExpression, { type: 2, expression: 'amount > 10' });
  proxy.receives[1]!.answer([delivered('p1', 'payments')]);
  const [payment] = await second;
  await consumer.changeInvisibleDuration(payment!, 60_000);
  assert.equal(proxy.changes.at(-1)!.receiptHandle, 'handle-p1');
  await consumer.ack(payment!);
  assert.deepEqual(proxy.acks.at(-1)!.entries, [{ messageId: 'p1', receiptHandle: 'handle-p1+changed' }], 'the ack uses the new handle');
  await consumer.close();
  assert.ok(proxy.calls.includes('NotifyClientTermination'));
});

test('push consumer: parallel auto-renew long polls, the handled message acked, close() cancels the open polls and leaves', async () => {
  const before = proxy.receives.length;
  const handled: string[] = [];
  const consumer = createPushConsumer({
    endpoints: proxy.endpoint, group: 'shipping', subscriptions: { orders: '*' }, logger: quiet, parallelReceives: 3, receiveBatchSize: 16,
    handler: async (m) => void handled.push(m.messageId),
  });
  await consumer.start();
  assert.equal(proxy.settings.at(-1)!.clientType, 2);
  await proxy.until(() => proxy.receives.length >= before + 3);
  const polls = proxy.receives.slice(before);
  assert.ok(polls.every((r) => r.request.autoRenew === true && r.request.batchSize === 16 && Number(r.request.longPollingTimeout?.seconds) === 20));
  assert.equal(new Set(polls.map((r) => r.request.attemptId)).size, polls.length, 'each poll has its own attempt id');
  polls[0]!.answer([delivered('s1', 'orders')]);
  await proxy.until(() => proxy.acks.some((a) => a.entries?.some((e) => e.messageId === 's1')));
  assert.deepEqual(handled, ['s1']);
  const open = proxy.receives.slice(before).filter((r) => r !== polls[0]);
  await consumer.close();
  await proxy.until(() => open.every((r) => r.cancelled));
  assert.equal(proxy.calls.filter((c) => c === 'NotifyClientTermination').length, 2);
});

test('behind a proxy, brokers that share its endpoint are told apart by name: the push consumer polls each, the simple consumer takes turns', async () => {
  proxy.brokers = ['b', 'c'];
  try {
    const before = proxy.receives.length;
    const consumer = createPushConsumer({
      endpoints: proxy.endpoint, group: 'two-brokers', subscriptions: { orders: '*' }, logger: quiet, parallelReceives: 1, handler: async () => undefined,
    });
    await consumer.start();
    await proxy.until(() => proxy.receives.length >= before + 2);
    assert.deepEqual(proxy.receives.slice(before).map((r) => r.request.messageQueue?.broker?.name).sort(), ['b', 'c']);
    await consumer.close();

    const simple = createSimpleConsumer({ endpoints: proxy.endpoint, group: 'two-brokers-simple', subscriptions: { orders: '*' }, logger: quiet, awaitMs: 1000 });
    const mine = () => proxy.receives.filter((r) => r.request.group?.name === 'two-brokers-simple');
    for (let i = 1; i <= 2; i++) {
      const receiving = simple.receive(1);
      await proxy.until(() => mine().length === i);
      mine()[i - 1]!.answer([]);
      await receiving;
    }
    const names = mine().map((r) => r.request.messageQueue?.broker?.name);
    assert.ok(mine().every((r) => r.deadline - r.at >= 5000), 'a 1 s long poll leaves the proxy its 5 s minimum');
    assert.deepEqual(names.sort(), ['b', 'c']);
    await simple.close();
  } finally {
    proxy.brokers = ['b'];
  }
});

test('push consumer options: concurrency, receiveBatchSize (1..32), parallelReceives and invisibleMs are checked, naming the option', () => {
  const base = { endpoints: '127.0.0.1:1', group: 'g', subscriptions: { t: '*' }, handler: async () => undefined };
  for (const [option, value] of [['concurrency', 0], ['receiveBatchSize', 33], ['receiveBatchSize', 1.5], ['parallelReceives', 0], ['invisibleMs', 5000]] as const) {
    assert.throws(() => createPushConsumer({ ...base, [option]: value }), (e: unknown) => e instanceof ConfigError && e.option === option, `${option} = ${value}`);
  }
  const consumer = createPushConsumer({ ...base, concurrency: 1, receiveBatchSize: 32, parallelReceives: 4, invisibleMs: 10_000 });
  return consumer.close();
});
