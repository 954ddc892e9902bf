import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { toBrokerError } from '../src/client/error-mapping.js';
import { BrokerError, BrokerRefusedError, BrokerTimeoutError, BrokerUnreachableError } from '../src/errors.js';

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
