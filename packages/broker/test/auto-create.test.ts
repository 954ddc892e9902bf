import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NotFoundError } from '../src/errors.js';
import { startBroker } from '../src/server.js';
import { messagingClient, unaryCall } from './grpc-client.js';
import { incoming, memoryCore, receiveRequest, silentLog } from './helpers.js';

const topicNotFound = (e: unknown) => e instanceof NotFoundError && e.code === 'TOPIC_NOT_FOUND' && /"undeclared" does not exist/.test(e.message);

test('with autoCreateTopics off, only declared topics take sends and receives', async () => {
  const core = memoryCore({ autoCreateTopics: false, topics: { declared: { messageType: 'MIXED' } } });
  await assert.rejects(core.send(incoming('undeclared'), 'p'), topicNotFound);
  await assert.rejects(core.receive(receiveRequest('G', 'undeclared')), topicNotFound);
  const sent = await core.send(incoming('declared'), 'p');
  const [delivered] = await core.receive(receiveRequest('G', 'declared'));
  assert.equal(delivered?.message.messageId, sent.messageId);
  await core.close();
});

test('with autoCreateTopics off, a client is told TOPIC_NOT_FOUND on the wire', async () => {
  const broker = await startBroker({ port: 0, memory: true, logger: silentLog, config: { autoCreateTopics: false, topics: { declared: {} } } });
  const client = messagingClient(broker.endpoint);
  try {
    const send = (topic: string) =>
      unaryCall<{ status: { code: number; message: string }; entries: { status: { code: number } }[] }>(client, 'SendMessage', {
        messages: [{ topic: { name: topic }, body: Buffer.from('x'), systemProperties: { messageId: `ID-${topic}`, messageType: 1 } }],
      });
    const refused = await send('undeclared');
    assert.equal(refused.status.code, 40402, refused.status.message); // TOPIC_NOT_FOUND
    assert.equal(refused.entries[0]?.status.code, 40402);
    assert.equal((await send('declared')).status.code, 20000);
    const route = await unaryCall<{ status: { code: number } }>(client, 'QueryRoute', { topic: { name: 'undeclared' } });
    assert.equal(route.status.code, 40402);
  } finally {
    client.close();
    await broker.close();
  }
});
