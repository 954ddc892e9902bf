import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Server, ServerCredentials, status as GrpcStatus, Metadata } from '@grpc/grpc-js';
import { ClientException } from 'rocketmq-client-nodejs';
import { ClientLifecycle } from '../src/client/client-lifecycle.js';
import { BrokerRefusedError, BrokerTimeoutError, BrokerUnreachableError, ClientClosedError } from '../src/errors.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

// Any gRPC server makes the reachability probe succeed; the fake official clients do the rest.
let server: Server;
let endpoints: string;
before(async () => {
  server = new Server();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))),
  );
  endpoints = `127.0.0.1:${port}`;
});
after(() => server.forceShutdown());

/** A stand-in for an official client whose `startup()` does what `start` says. */
class FakeOfficialClient {
  shutdowns = 0;
  readonly rpcClientManager = { notifyClientTermination: async () => undefined };
  constructor(private readonly start: () => Promise<void>) {}
  startup = () => this.start();
  shutdown = async () => {
    this.shutdowns++;
  };
  createTelemetryStream() {
    throw new Error('not used');
  }
}

function lifecycle(starts: Array<() => Promise<void>>, startupTimeoutMs = 2000) {
  const built: FakeOfficialClient[] = [];
  const subject = new ClientLifecycle('producer', { endpoints, startupTimeoutMs, logger: quiet }, () => {
    const next = starts[Math.min(built.length, starts.length - 1)]!;
    const client = new FakeOfficialClient(next);
    built.push(client);
    return client;
  });
  return { subject, built };
}

test('concurrent first calls share one start, and later calls reuse the started client', async () => {
  const { subject, built } = lifecycle([async () => undefined]);
  const clients = await Promise.all([subject.client('send'), subject.client('send'), subject.client('start')]);
  assert.equal(built.length, 1);
  assert.ok(clients.every((c) => c === built[0]));
  assert.equal(await subject.client('send'), built[0]);
  assert.ok(subject.startedAt !== undefined);
  await subject.close();
  await subject.close();
  assert.equal(built[0]!.shutdowns, 1);
  await assert.rejects(subject.client('send'), (e: unknown) => e instanceof ClientClosedError && /producer\.send\(\) was called after close\(\)/.test(e.message));
});

test('a start the broker refuses rejects with BrokerRefusedError and is not remembered: the next call starts again', async () => {
  const refused = async () => {
    throw new Error('Startup the rocketmq client failed', { cause: new ClientException(40402, 'topic t not found', 'x') });
  };
  const { subject, built } = lifecycle([refused, async () => undefined]);
  const error = await subject.client('send').then(() => assert.fail('started'), (e: unknown) => e);
  assert.ok(error instanceof BrokerRefusedError, String(error));
  assert.equal(error.code, 'TOPIC_NOT_FOUND');
  assert.equal(error.retryable, true);
  assert.match(error.message, /refused the request with 40402 TOPIC_NOT_FOUND: topic t not found$/);
  assert.equal(built[0]!.shutdowns, 1, 'the failed client was shut down');
  assert.equal(await subject.client('send'), built[1]);
  await subject.close();
});

test('when the broker goes away during a start, starting is tried again until startupTimeoutMs', async () => {
  const unavailable = async () => {
    throw Object.assign(new Error('14 UNAVAILABLE: connect ECONNREFUSED'), { code: GrpcStatus.UNAVAILABLE, details: 'connect ECONNREFUSED', metadata: new Metadata() });
  };
  const { subject, built } = lifecycle([unavailable, unavailable, async () => undefined]);
  assert.equal(await subject.client('send'), built[2]);
  await subject.close();

  const { subject: never } = lifecycle([unavailable], 800);
  const started = Date.now();
  const error = await never.client('send').then(() => assert.fail('started'), (e: unknown) => e);
  assert.ok(error instanceof BrokerUnreachableError, String(error));
  assert.ok(Date.now() - started >= 500);
  await never.close();
});

test('a start that hangs although the broker is reachable rejects with BrokerTimeoutError; close() during a start stops it', async () => {
  // Long enough that a loaded machine still connects (to the local broker) well within it.
  const { subject, built } = lifecycle([() => new Promise<void>(() => undefined)], 2000);
  await assert.rejects(subject.client('send'), (e: unknown) => e instanceof BrokerTimeoutError && /startupTimeoutMs = 2000 ms/.test(e.message));
  assert.equal(built[0]!.shutdowns, 1);
  await subject.close();

  const { subject: closing, built: closingBuilt } = lifecycle([() => new Promise<void>(() => undefined)], 60_000);
  const start = closing.client('start');
  await new Promise<void>((resolve) => {
    const poll = () => (closingBuilt.length > 0 ? resolve() : setImmediate(poll));
    poll();
  });
  await closing.close();
  await assert.rejects(start, ClientClosedError);
  assert.equal(closingBuilt[0]!.shutdowns, 1);
});
