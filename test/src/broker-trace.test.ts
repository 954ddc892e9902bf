// Message query and trace against a broker process driven by the official client: the process
// records the trace durably; after it stops, its data directory is opened in this process (the
// admin API is what reads it from a running broker) and the trace and the indexes are read back.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { eventually } from '@txmq/test-support';
import { BROKER_CLI, startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';
import { ClientPool, text } from './support/official-clients.js';

interface TraceView {
  readonly events: readonly { type: string; at: number; topic?: string; group?: string; clientId?: string; attempt?: number }[];
}
/** The part of the broker's internal entry point (not a public API) this test uses. */
interface Internal {
  startBrokerWithCore(options: { port: number; dataDir: string; logLevel: string }): Promise<{
    core: {
      traceMessage(id: string): TraceView | undefined;
      findMessagesByKey(topic: string, key: string): { items: readonly { messageId: string; producerClientId?: string }[] };
      findMessagesById(id: string): readonly { topic: string }[];
    };
    close(): Promise<void>;
  }>;
}

const group = uniqueName('trace');
const topic = uniqueName('trace');
let broker: BrokerProcess;
const clients = new ClientPool(() => broker.endpoint);

before(async () => {
  broker = await startBrokerProcess({ config: { groups: { [group]: { maxDeliveryAttempts: 2 } } } });
});
after(async () => {
  await clients.shutdownAll();
  await broker?.dispose();
});

test('a message delivered twice and dead-lettered, and one acknowledged, as their durable traces tell it', async () => {
  const producer = await clients.producer(topic);
  const poison = await producer.send({ topic, body: Buffer.from('poison'), keys: ['order-1'] });
  const fine = await producer.send({ topic, body: Buffer.from('fine'), keys: ['order-2'] });
  const consumer = await clients.simple(group, topic);
  const attempts: number[] = [];
  let lastAttemptAt = 0;
  await eventually(
    'two deliveries of the poison message, then it is dead-lettered',
    async () => {
      for (const message of await consumer.receive(32, 1000)) {
        if (text(message) === 'fine') await consumer.ack(message);
        else {
          attempts.push(message.deliveryAttempt!);
          lastAttemptAt = Date.now();
        }
      }
      // The move to the DLQ happens on the first receive after the last attempt's 1 s invisible time.
      return attempts.length >= 2 && Date.now() - lastAttemptAt > 1500 && (await consumer.receive(32, 1000)).length === 0;
    },
    { timeoutMs: 15_000 },
  );
  await clients.shutdownAll();
  assert.equal(await broker.stop(), 0, 'the broker stops cleanly, writing what it traced');

  const internal = (await import(pathToFileURL(BROKER_CLI.replace(/cli\/main\.js$/, 'internal.js')).href)) as Internal;
  const reopened = await internal.startBrokerWithCore({ port: 0, dataDir: join(broker.dataDir, 'data'), logLevel: 'silent' });
  try {
    const { core } = reopened;
    const poisonTrace = core.traceMessage(poison.messageId)!;
    assert.deepEqual(poisonTrace.events.map((e) => [e.type, e.attempt ?? null]), [
      ['sent', null], ['stored', null], ['delivered', 1], ['redelivered', 2], ['delivered', 2], ['dead-lettered', 2], ['stored', null],
    ]);
    const sent = poisonTrace.events[0]!;
    const delivered = poisonTrace.events[2]!;
    assert.match(sent.clientId ?? '', /\S/, 'the producer client id is recorded with the message');
    assert.notEqual(delivered.clientId, undefined);
    assert.notEqual(delivered.clientId, sent.clientId, 'delivered to the consumer, sent by the producer');
    assert.equal(delivered.group, group);
    assert.equal(poisonTrace.events[5]!.topic, `%DLQ%${group}`);
    for (let i = 1; i < poisonTrace.events.length; i++) assert.ok(poisonTrace.events[i]!.at >= poisonTrace.events[i - 1]!.at, 'time order');

    assert.deepEqual(core.traceMessage(fine.messageId)!.events.map((e) => [e.type, e.attempt ?? null]), [['sent', null], ['stored', null], ['delivered', 1], ['acked', 1]]);
    const [byKey] = core.findMessagesByKey(topic, 'order-2').items;
    assert.equal(byKey?.messageId, fine.messageId);
    assert.equal(byKey?.producerClientId, sent.clientId);
    assert.deepEqual(core.findMessagesById(poison.messageId).map((m) => m.topic), [topic, `%DLQ%${group}`]);
  } finally {
    await reopened.close();
  }
});
