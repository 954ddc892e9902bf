// Child process of client-loggers.test.ts: two push consumers with their own loggers (and a
// producer and a simple consumer) receive one message each, whose handler fails once; prints
// which logger saw which handler-failure lines. Run with HOME pointing at an empty directory.
import { createProducer, createPushConsumer, createSimpleConsumer, type ClientLogger } from '@txmq/broker/client';
import { eventually } from '@txmq/test-support';

const endpoints = process.argv[2]!;
const suffix = `${process.pid}`;

function recordingLogger(lines: string[]): ClientLogger {
  const record = (...args: unknown[]) => lines.push(args.map(String).join(' '));
  return { info: record, warn: record, error: record, debug: record };
}

const lines: Record<'a' | 'b' | 'producer', string[]> = { a: [], b: [], producer: [] };
const received: Record<'a' | 'b', number> = { a: 0, b: 0 };
const consumers = (['a', 'b'] as const).map((name) =>
  createPushConsumer({
    endpoints,
    group: `logs-${name}-${suffix}`,
    subscriptions: { [`logs-${name}-${suffix}`]: '*' },
    logger: recordingLogger(lines[name]),
    requestTimeoutMs: 1000,
    handler: async (message) => {
      received[name]++;
      if (message.deliveryAttempt === 1) throw new Error(`first delivery to ${name}`);
    },
  }),
);
for (const consumer of consumers) await consumer.start();
const producer = createProducer({ endpoints, logger: recordingLogger(lines.producer) });
await producer.send({ topic: `logs-a-${suffix}`, body: 'for a' });
await producer.send({ topic: `logs-b-${suffix}`, body: 'for b' });
const simple = createSimpleConsumer({ endpoints, group: `logs-s-${suffix}`, subscriptions: { [`logs-a-${suffix}`]: '*' }, awaitMs: 1000, logger: recordingLogger(lines.producer) });
await simple.receive();
await eventually('both consumers to receive their message again', () => received.a > 1 && received.b > 1, { timeoutMs: 15_000 });
await Promise.all([...consumers.map((c) => c.close()), producer.close(), simple.close()]);

const failureLines = (name: keyof typeof lines) => lines[name].filter((line) => line.includes('handler failed')).length;
console.log(JSON.stringify({ a: failureLines('a'), b: failureLines('b'), producer: failureLines('producer') }));
