import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { ClientException } from 'rocketmq-client-nodejs';
import { toBrokerError } from '../src/client/official-error-mapping.js';
import { BrokerError, BrokerRefusedError, BrokerTimeoutError, BrokerUnreachableError, InvalidRequestError } from '../src/errors.js';

const endpoint = '127.0.0.1:8081';
const grpcError = (code: GrpcStatus, details: string) => Object.assign(new Error(`${code} ${details}`), { code, details, metadata: new Metadata() });

test('gRPC statuses and socket errors map to unreachable, timeout or refused, keeping the original as cause', () => {
  const unavailable = grpcError(GrpcStatus.UNAVAILABLE, 'No connection established. Last error: connect ECONNREFUSED');
  const mapped = toBrokerError(new Error('wrapper', { cause: unavailable }), endpoint);
  assert.ok(mapped instanceof BrokerUnreachableError);
  assert.equal(mapped.endpoint, endpoint);
  assert.equal((mapped.cause as Error).message, 'wrapper');

  assert.ok(toBrokerError(grpcError(GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded'), endpoint) instanceof BrokerTimeoutError);
  assert.ok(toBrokerError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), endpoint) instanceof BrokerUnreachableError);

  const tooLarge = toBrokerError(grpcError(GrpcStatus.RESOURCE_EXHAUSTED, 'Received message larger than max (5000000 vs 4194304)'), endpoint);
  assert.ok(tooLarge instanceof BrokerRefusedError);
  assert.equal(tooLarge.code, 'PAYLOAD_TOO_LARGE');
  assert.equal(tooLarge.retryable, false);
  const throttled = toBrokerError(grpcError(GrpcStatus.RESOURCE_EXHAUSTED, 'slow down'), endpoint) as BrokerRefusedError;
  assert.equal(throttled.code, 'TOO_MANY_REQUESTS');
  assert.equal(throttled.retryable, true);
  assert.equal(toBrokerError(grpcError(GrpcStatus.INTERNAL, 'boom'), endpoint).code, 'INTERNAL_ERROR');
});

test("the official client's exceptions and messages map to the refusal they report", () => {
  const tag = toBrokerError(new ClientException(40004, 'tag must not be blank', 'r1'), endpoint);
  assert.ok(tag instanceof BrokerRefusedError);
  assert.equal(tag.status, 40004);
  assert.equal(tag.retryable, false);
  assert.equal(tag.message, `the broker at ${endpoint} refused the request with 40004 ILLEGAL_MESSAGE_TAG: tag must not be blank`);

  const unknown = toBrokerError(new ClientException(49999, 'odd', 'r2'), endpoint) as BrokerRefusedError;
  assert.equal(unknown.status, 49999);
  assert.equal(unknown.code, 'BAD_REQUEST');

  const type = toBrokerError(new TypeError('Current message type not match with topic accept message types, topic=orders, actualMessageType=1, acceptMessageTypes=[2]'), endpoint);
  assert.ok(type instanceof BrokerRefusedError);
  assert.equal(type.code, 'MESSAGE_PROPERTY_CONFLICT_WITH_TYPE');
  assert.match(type.message, /topic orders for FIFO messages only, not NORMAL ones/);

  const recall = toBrokerError(new Error('Failed to recall message: no such handle (code: 40401)'), endpoint) as BrokerRefusedError;
  assert.equal(recall.code, 'MESSAGE_NOT_FOUND');

  const other = toBrokerError(new Error('something else'), endpoint);
  assert.ok(other instanceof BrokerError);
  assert.equal(other.code, 'INTERNAL_ERROR');
  assert.match(other.message, /something else/);
});

test("only the official client's own refusals of a message are permanent; any other local error is an internal, retryable one", () => {
  for (const refusal of [
    new TypeError('Transactional message should not set messageGroup, liteTopic, deliveryTimestamp or priority'),
    new Error('delay/deliveryTimestamp is mutually exclusive with messageGroup'),
    new Error('priority is mutually exclusive with delay, deliveryTimestamp, messageGroup, and liteTopic'),
    new TypeError('Messages to send have different topics=["a","b"]'),
    new TypeError('FIFO messages to send have message groups, messageGroups=["a","b"]'),
  ]) {
    const mapped = toBrokerError(refusal, endpoint);
    assert.ok(mapped instanceof InvalidRequestError, refusal.message);
    assert.equal(mapped.cause, refusal);
  }
  for (const bug of [
    new TypeError("Cannot read properties of undefined (reading 'endpoints')"),
    new RangeError('Maximum call stack size exceeded'),
    new TypeError('Transactional message has not been sent yet'),
  ]) {
    const mapped = toBrokerError(bug, endpoint);
    assert.ok(!(mapped instanceof InvalidRequestError), bug.message);
    assert.equal(mapped.code, 'INTERNAL_ERROR', bug.message);
    assert.equal(mapped.cause, bug);
  }
});

test('authentication and permission failures are refusals with the RocketMQ status, keeping the cause, and retryable', () => {
  const unauthenticated = grpcError(GrpcStatus.UNAUTHENTICATED, 'no credentials');
  const mapped = toBrokerError(unauthenticated, endpoint);
  assert.ok(mapped instanceof BrokerRefusedError);
  assert.equal(mapped.code, 'UNAUTHORIZED');
  assert.equal(mapped.status, 40100);
  assert.equal(mapped.retryable, true);
  assert.equal(mapped.cause, unauthenticated);

  const denied = grpcError(GrpcStatus.PERMISSION_DENIED, 'not allowed');
  const forbidden = toBrokerError(new Error('wrapper', { cause: denied }), endpoint);
  assert.ok(forbidden instanceof BrokerRefusedError);
  assert.equal(forbidden.code, 'FORBIDDEN');
  assert.equal(forbidden.status, 40300);
  assert.equal(forbidden.retryable, true);
  assert.equal((forbidden.cause as Error).message, 'wrapper');
});
