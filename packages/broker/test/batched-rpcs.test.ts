import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client } from '@grpc/grpc-js';
import { Code } from '../src/protocol/codes.js';
import { startBroker, type RunningBroker } from '../src/server.js';
import { clientMetadata, messagingClient, unaryCall } from './grpc-client.js';
import { silentLog } from './helpers.js';

let broker: RunningBroker;
let client: Client;
before(async () => {
  broker = await startBroker({ port: 0, memory: true, logger: silentLog });
  client = messagingClient(broker.endpoint);
});
after(async () => {
  client?.close();
  await broker?.close();
});

interface Entry { status: { code: number; message?: string }; messageId?: string; offset?: string; receiptHandle?: string }

const message = (topic: string, id: string, extra: object = {}) => ({
  topic: { name: topic },
  body: Buffer.from(`body of ${id}`),
  systemProperties: { messageId: id, messageType: 1, bodyEncoding: 1, bornTimestamp: { seconds: 1_700_000_000, nanos: 0 }, bornHost: 'test', ...extra },
});

function receive(topic: string, group: string, batchSize: number): Promise<{ systemProperties: { messageId: string; receiptHandle: string } }[]> {
  return new Promise((resolve, reject) => {
    const messages: { systemProperties: { messageId: string; receiptHandle: string } }[] = [];
    const call = (client as unknown as Record<string, (...args: unknown[]) => NodeJS.EventEmitter>).receiveMessage!(
      { group: { name: group }, messageQueue: { topic: { name: topic } }, filterExpression: { type: 1, expression: '*' }, batchSize, invisibleDuration: { seconds: 30 }, longPollingTimeout: { seconds: 1 } },
      clientMetadata(),
      { deadline: Date.now() + 10_000 },
    );
    call.on('data', (frame: { message?: { systemProperties: { messageId: string; receiptHandle: string } } }) => frame.message && messages.push(frame.message));
    call.on('error', reject);
    call.on('end', () => resolve(messages));
  });
}

test('SendMessage with several messages answers one entry per message, each with its own id and offset', async () => {
  const ids = Array.from({ length: 20 }, (_, i) => `BATCH-${i}`);
  const response = await unaryCall<{ status: { code: number }; entries: Entry[] }>(client, 'SendMessage', { messages: ids.map((id) => message('batched', id)) });
  assert.equal(response.status.code, Code.OK);
  assert.deepEqual(response.entries.map((e) => e.messageId), ids);
  assert.deepEqual(response.entries.map((e) => Number(e.offset)), ids.map((_, i) => i));
  assert.ok(response.entries.every((e) => e.status.code === Code.OK));
  const received = await receive('batched', 'G', 32);
  assert.deepEqual(received.map((m) => m.systemProperties.messageId), ids, 'consumers see the messages in request order');
});

test('a message of a batch that breaks a rule fails its own entry; the others are stored', async () => {
  const response = await unaryCall<{ status: { code: number }; entries: Entry[] }>(client, 'SendMessage', {
    messages: [message('mixed', 'OK-1'), message('mixed', 'BAD', { tag: 'a|b' }), message('mixed', 'OK-2')],
  });
  assert.deepEqual(response.entries.map((e) => e.status.code === Code.OK), [true, false, true]);
  assert.equal(response.status.code, response.entries[1]!.status.code, 'the top-level status is the failure');
  assert.deepEqual((await receive('mixed', 'G', 32)).map((m) => m.systemProperties.messageId), ['OK-1', 'OK-2']);
});

test('AckMessage with many entries answers one entry per handle, matched by handle', async () => {
  const ids = Array.from({ length: 10 }, (_, i) => `ACK-${i}`);
  await unaryCall(client, 'SendMessage', { messages: ids.map((id) => message('acks', id)) });
  const received = await receive('acks', 'G', 32);
  assert.equal(received.length, 10);
  const entries = received.map((m) => ({ messageId: m.systemProperties.messageId, receiptHandle: m.systemProperties.receiptHandle }));
  const request = { group: { name: 'G' }, topic: { name: 'acks' }, entries: [...entries, { messageId: 'ACK-X', receiptHandle: 'bogus' }] };
  const response = await unaryCall<{ status: { code: number }; entries: Entry[] }>(client, 'AckMessage', request);
  assert.equal(response.entries.length, 11);
  assert.deepEqual(response.entries.slice(0, 10).map((e) => [e.messageId, e.receiptHandle, e.status.code]), entries.map((e) => [e.messageId, e.receiptHandle, Code.OK]));
  assert.equal(response.entries[10]!.status.code, Code.INVALID_RECEIPT_HANDLE);
  assert.equal(response.status.code, Code.INVALID_RECEIPT_HANDLE);
  const again = await unaryCall<{ entries: Entry[] }>(client, 'AckMessage', { ...request, entries: entries.slice(0, 2) });
  assert.ok(again.entries.every((e) => e.status.code === Code.INVALID_RECEIPT_HANDLE), 'acknowledged handles are spent');
});
