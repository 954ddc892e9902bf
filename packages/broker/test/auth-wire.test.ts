// Every RPC of a broker with an `acl`: unsigned calls are UNAUTHORIZED, calls of a user without
// the right are FORBIDDEN (before anything happens), the user with the rights gets through, and
// refusals are counted.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client, ClientDuplexStream, ClientReadableStream, Metadata } from '@grpc/grpc-js';
import { authorizationHeader } from '../src/auth/authorization-header.js';
import { formatRequestDateTime } from '../src/auth/request-date-time.js';
import { startBrokerWithCore, type RunningBrokerWithCore } from '../src/internal.js';
import { IMPLEMENTED_RPCS } from '../src/protocol/messaging-service.js';
import { clientMetadata, messagingClient, unaryCall } from './grpc-client.js';
import { silentLog } from './helpers.js';

let broker: RunningBrokerWithCore;
let client: Client;

before(async () => {
  broker = await startBrokerWithCore({
    port: 0,
    memory: true,
    logger: silentLog,
    config: {
      acl: {
        users: [
          { accessKey: 'app', secret: 'app-secret', topics: { 't-*': ['pub', 'sub'] }, groups: { 'g-*': ['sub'] } },
          { accessKey: 'nobody', secret: 'nobody-secret' },
          { accessKey: 'tenant', secret: 'tenant-secret', topics: { 'ns%t-*': ['pub'] } },
        ],
      },
    },
  });
  client = messagingClient(broker.endpoint);
});
after(async () => {
  client.close();
  await broker.close();
});

let clientIds = 0;
/** The headers of a call signed by `accessKey` (a fresh client id each, so that none is bound to another user). */
function signed(accessKey: string, secret: string, at = Date.now()): Metadata {
  const metadata = clientMetadata(`${accessKey}-client-${clientIds++}`);
  const dateTime = formatRequestDateTime(at);
  metadata.set('x-mq-date-time', dateTime);
  metadata.set('authorization', authorizationHeader(accessKey, secret, dateTime));
  return metadata;
}

const topic = { name: 't-orders' };
const group = { name: 'g-billing' };
const endpoints = { scheme: 1, addresses: [{ host: '127.0.0.1', port: 1 }] };
/** A request per unary RPC, valid but for the rights (handles need not exist: the check comes first). */
const UNARY: Record<string, object> = {
  QueryRoute: { topic, endpoints },
  Heartbeat: { group, clientType: 3 },
  SendMessage: {
    messages: [{
      topic, body: Buffer.from('x'),
      systemProperties: { messageId: '01A1B2C3D4E5F60718293A4B5C6D7E8F90', messageType: 1, bodyEncoding: 1, bornTimestamp: { seconds: 1 }, bornHost: 'test' },
    }],
  },
  QueryAssignment: { topic, group, endpoints },
  AckMessage: { group, topic, entries: [{ messageId: 'x', receiptHandle: 'x' }] },
  ForwardMessageToDeadLetterQueue: { group, topic, receiptHandle: 'x', messageId: 'x', deliveryAttempt: 1, maxDeliveryAttempts: 1 },
  EndTransaction: { topic, messageId: 'x', transactionId: 'x', resolution: 1, source: 1 },
  NotifyClientTermination: { group },
  ChangeInvisibleDuration: { group, topic, receiptHandle: 'x', invisibleDuration: { seconds: 10 }, messageId: 'x' },
  RecallMessage: { topic, recallHandle: 'x' },
};

interface Status { code: number; message: string }

function receive(metadata: Metadata): Promise<{ status?: Status }[]> {
  const request = { group, messageQueue: { topic, id: 0 }, filterExpression: { type: 1, expression: '*' }, batchSize: 1, invisibleDuration: { seconds: 10 }, longPollingTimeout: { seconds: 1 } };
  const stream = (client as unknown as { ReceiveMessage(r: object, m: Metadata, o: object): ClientReadableStream<{ status?: Status }> }).ReceiveMessage(request, metadata, { deadline: Date.now() + 10_000 });
  const frames: { status?: Status }[] = [];
  return new Promise((resolve, reject) => {
    stream.on('data', (frame) => frames.push(frame));
    stream.on('error', reject);
    stream.on('end', () => resolve(frames));
  });
}

/** Opens Telemetry, sends a producer's Settings for t-orders, and resolves to the first status the broker writes. */
function telemetry(metadata: Metadata): Promise<Status | undefined> {
  const stream = (client as unknown as { Telemetry(m: Metadata): ClientDuplexStream<object, { status?: Status }> }).Telemetry(metadata);
  return new Promise((resolve, reject) => {
    stream.on('data', (command) => {
      resolve(command.status);
      stream.end();
    });
    stream.on('error', reject);
    stream.write({ settings: { clientType: 1, publishing: { topics: [topic] } } });
  });
}

async function statusOf(rpc: string, metadata: () => Metadata): Promise<Status | undefined> {
  if (rpc === 'ReceiveMessage') return (await receive(metadata()))[0]?.status;
  if (rpc === 'Telemetry') return telemetry(metadata());
  return (await unaryCall<{ status?: Status }>(client, rpc, UNARY[rpc]!, metadata())).status;
}

test('the table covers every RPC the broker serves', () => {
  assert.deepEqual([...Object.keys(UNARY), 'ReceiveMessage', 'Telemetry'].sort(), [...IMPLEMENTED_RPCS].sort());
});

test('every RPC refuses an unsigned call with UNAUTHORIZED, saying there were no credentials', async () => {
  const before = broker.authFailures.counts.get('no-credentials') ?? 0;
  for (const rpc of IMPLEMENTED_RPCS) {
    const status = await statusOf(rpc, () => clientMetadata(`anonymous-${clientIds++}`));
    assert.equal(status?.code, 40100, `${rpc}: ${JSON.stringify(status)}`);
    assert.match(status!.message, /no credentials/, rpc);
  }
  assert.equal(broker.authFailures.counts.get('no-credentials'), before + IMPLEMENTED_RPCS.length, 'each refusal is counted');
});

test('every RPC refuses a signed call of a user without the right with FORBIDDEN naming the resource and the right', async () => {
  const expected: Record<string, RegExp> = {
    QueryRoute: /no pub or sub right on topic t-orders/,
    SendMessage: /no pub right on topic t-orders/,
    EndTransaction: /no pub right on topic t-orders/,
    RecallMessage: /no pub right on topic t-orders/,
    Telemetry: /no pub right on topic t-orders/,
    ReceiveMessage: /no sub right on topic t-orders/,
    QueryAssignment: /no sub right on topic t-orders/,
  };
  for (const rpc of IMPLEMENTED_RPCS) {
    const status = await statusOf(rpc, () => signed('nobody', 'nobody-secret'));
    assert.equal(status?.code, 40300, `${rpc}: ${JSON.stringify(status)}`);
    assert.match(status!.message, expected[rpc] ?? /user "nobody" has no sub right on group g-billing/, rpc);
  }
});

test('the user with the rights gets through every RPC (past the checks: the handles are made up)', async () => {
  for (const rpc of IMPLEMENTED_RPCS) {
    const status = await statusOf(rpc, () => signed('app', 'app-secret'));
    assert.ok(status === undefined || ![40100, 40300].includes(status.code), `${rpc}: ${JSON.stringify(status)}`);
  }
});

test('a call signed with a wrong secret or too long ago is refused, and counted by reason', async () => {
  const counts = broker.authFailures.counts;
  const [badBefore, skewBefore] = [counts.get('bad-signature') ?? 0, counts.get('clock-skew') ?? 0];
  const wrong = await statusOf('QueryRoute', () => signed('app', 'not-it'));
  assert.equal(wrong?.code, 40100);
  assert.match(wrong!.message, /does not match: wrong secret/);
  const stale = await statusOf('QueryRoute', () => signed('app', 'app-secret', Date.now() - 20 * 60_000));
  assert.equal(stale?.code, 40100);
  assert.match(stale!.message, /check the client's clock/);
  assert.equal(counts.get('bad-signature'), badBefore + 1);
  assert.equal(counts.get('clock-skew'), skewBefore + 1);
});

test('rights name the namespaced resource: a grant on ns%t-* opens t-orders of namespace ns only', async () => {
  const inNamespace = (ns: string) => () => {
    const metadata = signed('tenant', 'tenant-secret');
    if (ns) metadata.set('x-mq-namespace', ns);
    return metadata;
  };
  assert.equal((await statusOf('QueryRoute', inNamespace('ns')))?.code, 20000);
  const outside = await statusOf('QueryRoute', inNamespace(''));
  assert.equal(outside?.code, 40300);
  assert.match(outside!.message, /no pub or sub right on topic t-orders/);
  assert.match((await statusOf('QueryRoute', inNamespace('other')))?.message ?? '', /no pub or sub right on topic other%t-orders/);
});
