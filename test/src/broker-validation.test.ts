// Bad input: illegal topic and group names, unknown config keys, and the message body limit, with
// the official rocketmq-client-nodejs (and a bare gRPC client where it cannot go) against broker processes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SimpleConsumer } from 'rocketmq-client-nodejs';
import { BROKER_CLI, quietLogger, startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';
import { ClientPool, errorOf, receiveN } from './support/official-clients.js';
import { RawClient, type ReceiveFrame } from './support/raw-grpc.js';

const SMALL_LIMIT = 1024;
const DEFAULT_LIMIT = 4 * 1024 * 1024;
let broker: BrokerProcess;
let small: BrokerProcess;
const clients = new ClientPool(() => broker.endpoint);
const smallClients = new ClientPool(() => small.endpoint);
const raws: RawClient[] = [];

before(async () => {
  [broker, small] = await Promise.all([startBrokerProcess(), startBrokerProcess({ config: { maxBodyBytes: SMALL_LIMIT } })]);
});
after(async () => {
  for (const raw of raws) raw.close();
  await Promise.all([clients.shutdownAll(), smallClients.shutdownAll()]);
  for (const b of [broker, small]) {
    await b?.stop(); // SIGTERM ends telemetry streams with OK before the process goes
    await b?.dispose();
  }
});

function raw(endpoint: string): RawClient {
  const client = new RawClient(endpoint);
  raws.push(client);
  return client;
}

/** The error and its `cause` chain as one string (the client wraps startup failures). */
function describe(error: unknown): string {
  const parts: string[] = [];
  for (let e = error as { message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) parts.push(String(e.message));
  return parts.join(' <- ');
}

async function expectServing(): Promise<void> {
  const topic = uniqueName('still-ok');
  const producer = await clients.producer(topic);
  const receipt = await producer.send({ topic, body: Buffer.from('fine') });
  const consumer = await clients.simple(uniqueName('g'), topic);
  const [message] = await receiveN(consumer, 1);
  assert.equal(message!.messageId, receipt.messageId);
}

test('an illegal topic name gets a clear error and the broker keeps serving', async () => {
  const topic = uniqueName('good');
  const producer = await clients.producer(topic);
  const error = await errorOf(() => producer.send({ topic: 'bad topic!', body: Buffer.from('x') }));
  assert.equal(error.name, 'BadRequestException');
  assert.equal(error.code, 40002); // ILLEGAL_TOPIC
  assert.match(error.message, /illegal topic name "bad topic!"/);
  await producer.send({ topic, body: Buffer.from('the same producer still works') });
  await expectServing();
});

test('an illegal consumer group name fails the consumer startup with a clear error and the broker keeps serving', async () => {
  const consumer = new SimpleConsumer({
    endpoints: broker.endpoint,
    namespace: '',
    consumerGroup: 'bad group!',
    subscriptions: new Map([[uniqueName('t'), '*']]),
    awaitDuration: 1000,
    logger: quietLogger,
  });
  try {
    const error = await errorOf(() => consumer.startup());
    assert.match(describe(error), /illegal consumer group "bad group!"/);
  } finally {
    await consumer.shutdown();
  }
  await expectServing();
});

test('an invisible duration below the broker minimum (1 s) is refused with a clear error', async () => {
  const topic = uniqueName('short');
  const consumer = await clients.simple(uniqueName('g'), topic);
  const error = await errorOf(() => consumer.receive(1, 500));
  assert.equal(error.name, 'BadRequestException');
  assert.equal(error.code, 40011); // ILLEGAL_INVISIBLE_TIME
  assert.match(error.message, /invisible_duration must be from 1000 ms to 12 h \(got 500\)/);
  await expectServing();
});

test('an unknown key in the config JSON makes the CLI exit non-zero, naming the key', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'txmq-config-'));
  try {
    const run = async (config: unknown) => {
      const path = join(dir, 'config.json');
      await writeFile(path, JSON.stringify(config));
      return new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile(process.execPath, [BROKER_CLI, '--port', '0', '--memory', '--config', path], { timeout: 15_000 }, (error, _stdout, stderr) => {
          resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr });
        });
      });
    };
    const top = await run({ maxBodyBytes: 1024, maxBodySize: 1024 });
    assert.notEqual(top.code, 0);
    assert.match(top.stderr, /unknown key "maxBodySize"/);
    const nested = await run({ groups: { orders: { fifo: true, retries: 3 } } });
    assert.notEqual(nested.code, 0);
    assert.match(nested.stderr, /unknown key "groups\.orders\.retries"/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('with maxBodyBytes configured, a body at the limit is accepted and a bigger one gets an error naming the limit', async () => {
  const topic = uniqueName('small');
  const producer = await smallClients.producer(topic);
  await producer.send({ topic, body: Buffer.alloc(SMALL_LIMIT, 1) });
  // The broker announces its limit in the producer's Settings, so the official client refuses first.
  const clientSide = await errorOf(() => producer.send({ topic, body: Buffer.alloc(SMALL_LIMIT + 1, 1) }));
  assert.match(clientSide.message, new RegExp(`max size=${SMALL_LIMIT} bytes`));
  // The broker enforces it too.
  const brokerSide = await raw(small.endpoint).send({ topic, body: Buffer.alloc(SMALL_LIMIT + 1, 1), type: 'NORMAL' });
  assert.equal(brokerSide?.code, 41301); // MESSAGE_BODY_TOO_LARGE
  assert.match(brokerSide.message, new RegExp(`${SMALL_LIMIT + 1} bytes; the limit is ${SMALL_LIMIT}`));
});

test('a body of exactly the default 4 MiB is accepted and stored intact', async () => {
  const topic = uniqueName('big');
  const body = randomBytes(DEFAULT_LIMIT);
  const producer = await clients.producer(topic);
  const receipt = await producer.send({ topic, body });
  const tooBig = await errorOf(() => producer.send({ topic, body: Buffer.alloc(DEFAULT_LIMIT + 1) }));
  assert.match(tooBig.message, new RegExp(`max size=${DEFAULT_LIMIT} bytes`));

  // The official Node client keeps grpc-js's default 4 MiB receive limit, and a 4 MiB body plus the
  // message's other fields is a bigger frame, so it cannot receive this message at all:
  const official = await clients.simple(uniqueName('official'), topic);
  const refused = await errorOf(() => official.receive(1, 30_000));
  assert.equal(refused.code, 8); // gRPC RESOURCE_EXHAUSTED, raised by the client
  assert.match(refused.message, /larger than max/);

  // So delivery is checked with a bare gRPC client that accepts bigger frames.
  const client = raw(broker.endpoint);
  const group = uniqueName('raw');
  let frames: ReceiveFrame[] = [];
  for (let i = 0; i < 5 && !frames.some((f) => f.message); i++) frames = await client.receive(group, topic, { invisibleMs: 30_000, longPollMs: 2000 });
  const message = frames.find((f) => f.message)?.message;
  assert.ok(message, `a message frame; got ${JSON.stringify(frames.map((f) => f.status ?? Object.keys(f)))}`);
  assert.equal(message.systemProperties?.messageId, receipt.messageId);
  assert.equal(message.body?.length, DEFAULT_LIMIT);
  assert.ok(message.body.equals(body), 'the body is stored byte for byte');
  assert.equal(message.systemProperties?.bodyDigest?.checksum, createHash('md5').update(body).digest('hex').toUpperCase());
  const ack = await client.ack(group, topic, receipt.messageId, message.systemProperties!.receiptHandle!);
  assert.equal(ack?.code, 20000);
});
