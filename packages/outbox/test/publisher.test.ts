import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BrokerRefusedError,
  BrokerTimeoutError,
  BrokerUnreachableError,
  ClientClosedError,
  ConfigError,
  InvalidRequestError,
  NotFoundError,
  STATUS_CODES,
  type OutgoingMessage,
  type SendResult,
} from '@txmq/broker/client';
import { createBrokerPublisher, InvalidOptionsError, PublishError, type PublishableMessage } from '../src/index.js';
import { publisherOn, type PublishingProducer } from '../src/publisher/broker-publisher.js';
import { createOutboxProducer } from '../src/publisher/outbox-producer.js';
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
    // A timeout is an outage: a hung or partitioned broker must not park the rows it is handed.
    [new BrokerTimeoutError('127.0.0.1:1', 'deadline exceeded'), { retryable: true, unavailable: true, transportCode: 'BROKER_TIMEOUT', status: undefined }],
    // Refusals of access, not of the message, are outages too: the same message goes through once access is fixed.
    [new BrokerRefusedError(STATUS_CODES.ILLEGAL_ACCESS_POINT, 'wrong endpoint'), { retryable: true, unavailable: true, transportCode: 'ILLEGAL_ACCESS_POINT', status: 40001 }],
    [new BrokerRefusedError(STATUS_CODES.UNAUTHORIZED, 'bad credentials'), { retryable: true, unavailable: true, transportCode: 'UNAUTHORIZED', status: 40100 }],
    [new BrokerRefusedError(STATUS_CODES.FORBIDDEN, 'no permission'), { retryable: true, unavailable: true, transportCode: 'FORBIDDEN', status: 40300 }],
    [
      new BrokerRefusedError(STATUS_CODES.UNRECOGNIZED_CLIENT_TYPE, 'client type'),
      { retryable: true, unavailable: true, transportCode: 'UNRECOGNIZED_CLIENT_TYPE', status: 40015 },
    ],
    [new BrokerRefusedError(STATUS_CODES.CLIENT_ID_REQUIRED, 'client id'), { retryable: true, unavailable: true, transportCode: 'CLIENT_ID_REQUIRED', status: 40017 }],
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
    // Wrong client options: no retry can fix them.
    [new ConfigError('invalid producer option requestTimeoutMs: must be a number of milliseconds >= 1000, got 500'), { retryable: false, unavailable: false, transportCode: 'INVALID_CONFIG', status: undefined }],
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

/** A fake producer: records what it sent and how often it was started and closed; fails as told. */
function fakeProducer(fail?: () => unknown, failStart?: () => unknown): PublishingProducer & { sent: OutgoingMessage[]; starts: number; closed: number } {
  const sent: OutgoingMessage[] = [];
  return {
    sent,
    starts: 0,
    closed: 0,
    async start() {
      this.starts++;
      const error = failStart?.();
      if (error !== undefined) throw error;
    },
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

test('the broker publisher maps send failures, and after close() refuses further use', async () => {
  let refuse = false;
  const producer = fakeProducer(() => (refuse ? new BrokerRefusedError(STATUS_CODES.ILLEGAL_MESSAGE_TAG, 'bad tag') : undefined));
  const publisher = publisherOn(producer);
  assert.deepEqual(await publisher.publish(row), { transportMessageId: 'broker-1' });
  assert.equal(producer.sent[0]?.properties?.['txmq-message-id'], row.messageId);
  refuse = true;
  await assert.rejects(publisher.publish(row), (error: unknown) => error instanceof PublishError && !error.retryable && error.status === 40004);
  await publisher.close();
  assert.equal(producer.closed, 1);
  await assert.rejects(publisher.publish(row), (error: unknown) => error instanceof PublishError && error.transportCode === 'CLIENT_CLOSED');
  await assert.rejects(publisher.start(), (error: unknown) => error instanceof PublishError && error.transportCode === 'CLIENT_CLOSED');
});

test('start() delegates to the producer and maps its failure', async () => {
  let attempts = 0;
  const producer = fakeProducer(undefined, () => (++attempts === 1 ? new BrokerUnreachableError('127.0.0.1:1', 'connection refused') : undefined));
  const publisher = publisherOn(producer);
  await assert.rejects(publisher.start(), (error: unknown) => error instanceof PublishError && error.unavailable && error.transportCode === 'BROKER_UNREACHABLE');
  await publisher.start();
  assert.equal(producer.starts, 2, 'each start() asks the producer (which forgets a failed start)');
  await publisher.close();
});

test('createBrokerPublisher is synchronous, does no I/O, and names a bad option the client refused', async () => {
  const publisher = createBrokerPublisher({ endpoints: '127.0.0.1:1' });
  assert.equal(typeof (publisher as unknown as { then?: unknown }).then, 'undefined');
  await publisher.close();
  const cases: Array<[unknown, string]> = [
    [null, 'options'],
    [{ endpoints: '' }, 'endpoints'],
    [{ endpoints: '127.0.0.1:1', requestTimeoutMs: -1 }, 'requestTimeoutMs'],
    [{ endpoints: '127.0.0.1:1', requestTimeoutMs: 999 }, 'requestTimeoutMs'],
    [{ endpoints: '127.0.0.1:1', logger: {} }, 'logger'],
  ];
  for (const [options, option] of cases) {
    assert.throws(
      () => createBrokerPublisher(options as never),
      (error: unknown) => error instanceof InvalidOptionsError && error.option === option,
      `expected InvalidOptionsError(${option})`,
    );
  }
  assert.throws(
    () => createBrokerPublisher({ endpoints: '127.0.0.1:1', requestTimeoutMs: 500 }),
    (error: unknown) => error instanceof InvalidOptionsError && error.cause instanceof ConfigError && /1000/.test(error.message),
    'the client\'s ConfigError is the cause',
  );
});

test('a bad producer option is reported under the name the outbox caller used', () => {
  assert.throws(
    () => createOutboxProducer({ endpoints: '127.0.0.1:1', requestTimeoutMs: 10 }, { requestTimeoutMs: 'publishTimeoutMs' }),
    (error: unknown) =>
      error instanceof InvalidOptionsError && error.option === 'publishTimeoutMs' && error.message.startsWith('invalid option publishTimeoutMs: must be'),
  );
  assert.throws(
    () => createOutboxProducer({ endpoints: '127.0.0.1:1', topics: ['ok', 'not ok'] }),
    (error: unknown) => error instanceof InvalidOptionsError && error.option === 'topics[1]',
  );
});
