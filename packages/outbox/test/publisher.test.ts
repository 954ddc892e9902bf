import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BrokerRefusedError,
  BrokerTimeoutError,
  BrokerUnreachableError,
  ClientClosedError,
  InvalidRequestError,
  NotFoundError,
  STATUS_CODES,
  type OutgoingMessage,
  type SendResult,
} from '@txmq/broker/client';
import { createBrokerPublisher, InvalidOptionsError, PublishError, type PublishableMessage } from '../src/index.js';
import { publisherOn, type PublishingProducer } from '../src/publisher/broker-publisher.js';
import { toPublishError } from '../src/publisher/to-publish-error.js';

const row: PublishableMessage = {
  id: '7',
  messageId: '0b7f9d2e-0000-4000-8000-000000000007',
  topic: 'orders',
  tag: undefined,
  keys: [],
  messageGroup: undefined,
  headers: {},
  contentType: 'application/json',
  body: Buffer.from('{}'),
  createdAt: new Date(0),
  attempt: 1,
};

test('maps the broker client\'s typed errors: a refusal of the message is final, an outage is not the message\'s fault', () => {
  const cases: Array<[unknown, { retryable: boolean; unavailable: boolean; transportCode: string | undefined; status: number | undefined }]> = [
    [new BrokerUnreachableError('127.0.0.1:1', 'connection refused'), { retryable: true, unavailable: true, transportCode: 'BROKER_UNREACHABLE', status: undefined }],
    [new BrokerTimeoutError('127.0.0.1:1', 'deadline exceeded'), { retryable: true, unavailable: false, transportCode: 'BROKER_TIMEOUT', status: undefined }],
    [new BrokerRefusedError(STATUS_CODES.ILLEGAL_MESSAGE_TAG, 'bad tag'), { retryable: false, unavailable: false, transportCode: 'ILLEGAL_MESSAGE_TAG', status: 40004 }],
    [
      new BrokerRefusedError(STATUS_CODES.MESSAGE_PROPERTY_CONFLICT_WITH_TYPE, 'FIFO topic'),
      { retryable: false, unavailable: false, transportCode: 'MESSAGE_PROPERTY_CONFLICT_WITH_TYPE', status: 40014 },
    ],
    [new BrokerRefusedError(STATUS_CODES.MESSAGE_BODY_TOO_LARGE, 'too big'), { retryable: false, unavailable: false, transportCode: 'MESSAGE_BODY_TOO_LARGE', status: 41301 }],
    [new BrokerRefusedError(STATUS_CODES.TOO_MANY_REQUESTS, 'slow down'), { retryable: true, unavailable: false, transportCode: 'TOO_MANY_REQUESTS', status: 42900 }],
    [new BrokerRefusedError(STATUS_CODES.TOPIC_NOT_FOUND, 'no topic'), { retryable: true, unavailable: false, transportCode: 'TOPIC_NOT_FOUND', status: 40402 }],
    [new BrokerRefusedError(STATUS_CODES.INTERNAL_ERROR, 'oops'), { retryable: true, unavailable: false, transportCode: 'INTERNAL_ERROR', status: 50000 }],
    [
      new InvalidRequestError('MESSAGE_PROPERTY_CONFLICT_WITH_TYPE', 'the topic accepts FIFO messages only'),
      { retryable: false, unavailable: false, transportCode: 'MESSAGE_PROPERTY_CONFLICT_WITH_TYPE', status: 40014 },
    ],
    [new NotFoundError('TOPIC_NOT_FOUND', 'no topic'), { retryable: true, unavailable: false, transportCode: 'TOPIC_NOT_FOUND', status: 40402 }],
    [new ClientClosedError('send()'), { retryable: true, unavailable: false, transportCode: 'CLIENT_CLOSED', status: undefined }],
    // Untyped errors are retried; no cause chain is searched for gRPC or socket codes any more.
    [Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 }), { retryable: true, unavailable: false, transportCode: undefined, status: undefined }],
    [new Error('wrapped', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }), { retryable: true, unavailable: false, transportCode: undefined, status: undefined }],
    ['a string', { retryable: true, unavailable: false, transportCode: undefined, status: undefined }],
  ];
  for (const [thrown, expected] of cases) {
    const mapped = toPublishError(thrown, 'publishing outbox message m to topic orders');
    assert.ok(mapped instanceof PublishError);
    assert.equal(mapped.code, 'PUBLISH_FAILED');
    assert.equal(mapped.cause, thrown);
    assert.deepEqual(
      { retryable: mapped.retryable, unavailable: mapped.unavailable, transportCode: mapped.transportCode, status: mapped.status },
      expected,
      `mapping of ${thrown instanceof Error ? thrown.name : typeof thrown}: ${String(thrown)}`,
    );
    assert.match(mapped.message, /^publishing outbox message m to topic orders failed: /);
  }
  const own = new PublishError('mine', { retryable: false });
  assert.equal(toPublishError(own, 'x'), own, 'a PublishError passes through');
});

/** A fake producer: records what it sent, fails as told. */
function fakeProducer(fail?: () => unknown): PublishingProducer & { sent: OutgoingMessage[]; closed: number } {
  const sent: OutgoingMessage[] = [];
  return {
    sent,
    closed: 0,
    async send(message): Promise<SendResult> {
      const error = fail?.();
      if (error !== undefined) throw error;
      sent.push(message);
      return { messageId: `broker-${sent.length}`, transactionId: '', offset: sent.length - 1 };
    },
    async close() {
      this.closed++;
    },
  };
}

test('the broker publisher connects on first use, maps send failures, and closes once', async () => {
  let connects = 0;
  let refuse = false;
  const producer = fakeProducer(() => (refuse ? new BrokerRefusedError(STATUS_CODES.ILLEGAL_MESSAGE_TAG, 'bad tag') : undefined));
  const publisher = publisherOn(() => {
    connects++;
    return producer;
  });
  assert.equal(connects, 0, 'creating it does no I/O');
  assert.deepEqual(await publisher.publish(row), { transportMessageId: 'broker-1' });
  await publisher.publish(row);
  assert.equal(connects, 1, 'one producer for every publish');
  assert.equal(producer.sent[0]?.properties?.['txmq-message-id'], row.messageId);
  refuse = true;
  await assert.rejects(publisher.publish(row), (error: unknown) => error instanceof PublishError && !error.retryable && error.status === 40004);
  await Promise.all([publisher.close(), publisher.close()]);
  assert.equal(producer.closed, 1, 'close() is idempotent');
  await assert.rejects(publisher.publish(row), (error: unknown) => error instanceof PublishError && error.transportCode === 'CLIENT_CLOSED');
});

test('a failed start is reported, mapped, and tried again on the next use', async () => {
  let attempts = 0;
  const producer = fakeProducer();
  const publisher = publisherOn(async () => {
    attempts++;
    if (attempts === 1) throw new BrokerUnreachableError('127.0.0.1:1', 'connection refused');
    return {
      ...producer,
      send: producer.send.bind(producer),
      close: producer.close.bind(producer),
      start: async () => {
        if (attempts === 2) throw new BrokerTimeoutError('127.0.0.1:1', 'no answer');
      },
    };
  });
  await assert.rejects(publisher.start(), (error: unknown) => error instanceof PublishError && error.unavailable);
  await assert.rejects(publisher.publish(row), (error: unknown) => error instanceof PublishError && error.transportCode === 'BROKER_TIMEOUT');
  assert.equal(producer.closed, 1, 'a producer that failed to start is closed');
  await publisher.start();
  await publisher.publish(row);
  assert.equal(attempts, 3);
  await publisher.close();
});

test('createBrokerPublisher is synchronous, does no I/O, and names a bad option', async () => {
  const publisher = createBrokerPublisher({ endpoints: '127.0.0.1:1' });
  assert.equal(typeof (publisher as unknown as { then?: unknown }).then, 'undefined');
  await publisher.close();
  assert.throws(() => createBrokerPublisher({ endpoints: '' }), (error: unknown) => error instanceof InvalidOptionsError && error.option === 'endpoints');
  assert.throws(
    () => createBrokerPublisher({ endpoints: '127.0.0.1:1', requestTimeoutMs: -1 }),
    (error: unknown) => error instanceof InvalidOptionsError && error.option === 'requestTimeoutMs',
  );
});
