import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createProducer } from '@txmq/broker/client';
import { eventually } from '@txmq/test-support';
import { receiveUntil, topicConsumer, type Closable } from './fixtures/transaction-helpers.js';
import { quietLogger, startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';

let broker: BrokerProcess;
const clients: Closable[] = [];
before(async () => {
  broker = await startBrokerProcess({ config: { transaction: { checkImmunityMs: 1000, checkIntervalMs: 700, maxChecks: 20 } } });
});
after(async () => {
  for (const client of clients.splice(0)) await client.shutdown();
  await broker.stop();
  await broker.dispose();
});

test('across a broker restart (same port and data) the producer re-opens Telemetry: its next send succeeds and check-backs still reach its checker', async () => {
  const topic = uniqueName('restart');
  let restarted = false;
  const checks: boolean[] = [];
  const producer = createProducer({
    endpoints: broker.endpoint,
    topics: [topic],
    logger: quietLogger,
    checker: async () => (checks.push(restarted), restarted ? 'COMMIT' : 'UNKNOWN'),
  });
  try {
    await producer.start();
    const half = await producer.sendHalf({ topic, body: 'half before the restart' });
    assert.equal(await broker.stop(), 0);
    await broker.restart();
    restarted = true;

    // A check-back travels on the Telemetry stream, so it arrives only once the stream was re-opened.
    await eventually('a check-back after the restart', () => checks.includes(true), { timeoutMs: 20_000 });
    const sent = await producer.send({ topic, body: 'sent after the restart' });
    assert.notEqual(sent.messageId, half.messageId);

    const consumer = await topicConsumer(broker.endpoint, topic, clients);
    const bodies = (received: { body: Buffer }[]) => received.map((m) => m.body.toString()).sort();
    const received = await receiveUntil(consumer, (all) => all.length >= 2, 20_000);
    assert.deepEqual(bodies(received), ['half before the restart', 'sent after the restart'], 'the check-back answer committed the half message');
  } finally {
    await producer.close();
  }
});
