import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import {
  BrokerRefusedError,
  BrokerUnreachableError,
  ConfigError,
  createProducer,
  createSimpleConsumer,
  InvalidRequestError,
  isBrokerError,
  STATUS_CODES,
} from '@txmq/broker/client';
import { eventually } from '@txmq/test-support';
import { quietLogger, startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';

const fifoTopic = uniqueName('fifo');
let broker: BrokerProcess;
before(async () => {
  broker = await startBrokerProcess({ memory: true, config: { topics: { [fifoTopic]: { messageType: 'FIFO' } }, maxBodyBytes: 1024 } });
});
after(async () => {
  await broker.dispose();
});

test('a message that breaks the rules is refused before anything is sent, naming the field', async () => {
  // Nothing listens here: a rule violation must not need the broker.
  const producer = createProducer({ endpoints: '127.0.0.1:1', startupTimeoutMs: 60_000, logger: quietLogger });
  const invalid = async (message: Parameters<typeof producer.send>[0], code: string, text: RegExp) => {
    const error = await producer.send(message).then(() => assert.fail('sent'), (e: unknown) => e);
    assert.ok(error instanceof InvalidRequestError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, text);
  };
  await invalid({ topic: 't', tag: 'a|b', body: 'x' }, 'ILLEGAL_MESSAGE_TAG', /^invalid message: tag must not .* got "a\|b"$/);
  await invalid({ topic: 'bad topic', body: 'x' }, 'ILLEGAL_TOPIC', /invalid message: topic/);
  await invalid({ topic: 't', body: '' }, 'MESSAGE_BODY_EMPTY', /invalid message: body must not be empty/);
  await invalid({ topic: 't', body: 'x', keys: ['ok', 'bad\u0001'] }, 'ILLEGAL_MESSAGE_KEY', /invalid message: keys\[1\]/);
  await invalid({ topic: 't', body: 'x', messageGroup: 'g'.repeat(100) }, 'ILLEGAL_MESSAGE_GROUP', /invalid message: messageGroup/);
  await invalid({ topic: 't', body: 'x', properties: { UNIQ_KEY: 'x' } }, 'ILLEGAL_MESSAGE_PROPERTY_KEY', /invalid message: properties\.UNIQ_KEY/);
  await invalid({ topic: 't', body: 'x', deliverAt: new Date(Date.now() + 2 * 86_400_000) }, 'ILLEGAL_DELIVERY_TIME', /invalid message: deliverAt/);
  assert.throws(() => producer.sendOneWay({ topic: 't', tag: 'a|b', body: 'x' }), InvalidRequestError);
  await assert.rejects(producer.sendHalf({ topic: 't', body: 'x' }), (e: unknown) => e instanceof ConfigError && /created with the `checker` option/.test(e.message));
  await producer.close();
});

test('the broker refusing a message in-band is a BrokerRefusedError with its status, not retryable', async () => {
  const producer = createProducer({ endpoints: broker.endpoint, logger: quietLogger });
  const error = await producer.send({ topic: fifoTopic, body: 'a NORMAL message' }).then(() => assert.fail('sent'), (e: unknown) => e);
  assert.ok(error instanceof BrokerRefusedError, String(error));
  assert.equal(error.code, 'MESSAGE_PROPERTY_CONFLICT_WITH_TYPE');
  assert.equal(error.status, STATUS_CODES.MESSAGE_PROPERTY_CONFLICT_WITH_TYPE);
  assert.equal(error.retryable, false);
  assert.match(error.message, new RegExp(`topic ${fifoTopic}.*FIFO.*not NORMAL`));
  assert.ok(error.cause, 'the original error is kept');

  // The same topic accepts a FIFO message.
  assert.ok((await producer.send({ topic: fifoTopic, body: 'fifo', messageGroup: 'g1' })).messageId);

  // The broker's own, smaller body limit (announced to the client, which checks it before sending).
  const tooLarge = await producer.send({ topic: uniqueName('large'), body: 'x'.repeat(2048) }).then(() => assert.fail('sent'), (e: unknown) => e);
  assert.ok(tooLarge instanceof BrokerRefusedError, String(tooLarge));
  assert.equal(tooLarge.code, 'MESSAGE_BODY_TOO_LARGE');
  assert.equal(tooLarge.retryable, false);
  assert.match(tooLarge.message, /accepts bodies of at most 1024 bytes/);

  // A status the broker answers in-band (the official client throws it as an exception with the code).
  const consumer = createSimpleConsumer({ endpoints: broker.endpoint, group: uniqueName('g'), subscriptions: { [uniqueName('t')]: '*' }, awaitMs: 1000, logger: quietLogger });
  const invisible = await consumer.receive(1, 10).then(() => assert.fail('received'), (e: unknown) => e);
  assert.ok(invisible instanceof BrokerRefusedError, String(invisible));
  assert.equal(invisible.code, 'ILLEGAL_INVISIBLE_TIME');
  assert.equal(invisible.retryable, true, 'a refusal of the request, not of a message, may pass another time');
  assert.match(invisible.message, /refused the request with 40011 ILLEGAL_INVISIBLE_TIME: invisible_duration must be/);
  await consumer.close();

  // A recall the broker refuses (the official client reports it in its own words) is a refusal too.
  const recall = await producer.recall(uniqueName('refuse'), 'not-a-recall-handle').then(() => assert.fail('recalled'), (e: unknown) => e);
  assert.ok(isBrokerError(recall) && recall instanceof BrokerRefusedError, String(recall));
  assert.ok(recall.status >= 40000 && recall.status < 50000, recall.message);
  await producer.close();
});

test('a broker killed mid-run makes calls fail with BrokerUnreachableError, and the client recovers when it is back', async () => {
  const own = await startBrokerProcess();
  try {
    const topic = uniqueName('outage');
    const producer = createProducer({ endpoints: own.endpoint, logger: quietLogger, maxAttempts: 1 });
    await producer.send({ topic, body: 'before' });
    await own.kill();
    const error = await producer.send({ topic, body: 'during' }).then(() => assert.fail('sent'), (e: unknown) => e);
    assert.ok(error instanceof BrokerUnreachableError, String(error));
    assert.equal(error.endpoint, own.endpoint);
    assert.equal(error.code, 'BROKER_UNREACHABLE');
    await own.restart();
    await eventually('a send after the restart', () => producer.send({ topic, body: 'after' }).then(() => true, () => false), { timeoutMs: 15_000, intervalMs: 200 });
    await producer.close();
  } finally {
    await own.dispose();
  }
});

test('clients closed while the broker is down release everything: the process exits on its own', async () => {
  const own = await startBrokerProcess();
  try {
    const child = spawn(process.execPath, [fileURLToPath(new URL('./support/children/close-during-outage.js', import.meta.url)), own.endpoint], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await eventually('the child to connect', () => out.includes('connected'), { timeoutMs: 15_000 });
    await own.kill();
    child.stdin.write('go\n');
    const exited = once(child, 'exit');
    await eventually('the child to close its clients', () => out.includes('closed'), { timeoutMs: 15_000 });
    const closedAt = Date.now();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const [code, signal] = await exited;
    clearTimeout(timer);
    assert.equal(signal, null, `the child was still running ${Date.now() - closedAt} ms after closing its clients`);
    assert.equal(code, 0);
    assert.match(out, /BrokerUnreachableError/);
  } finally {
    await own.dispose();
  }
});
