import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import type { ConsumerSession, ConsumerSettings } from '../src/client/consumer/consumer-session.js';
import { PushRuntime, type PushRuntimeOptions } from '../src/client/consumer/push-runtime.js';
import type { ReceiveMessageResponse as ReceiveFrame, WireMessage as WireReceivedMessage } from '../src/wire/types.js';
import type { ReceivedMessage } from '../src/client/types.js';
import { safeLogger } from '../src/client/consumer/safe-logger.js';
import { targetsOf } from '../src/client/consumer/session-adapter.js';
import { STATUS_CODES } from '../src/status-codes.js';
import { BrokerRefusedError, BrokerUnreachableError } from '../src/errors.js';
import { createHash } from 'node:crypto';

const OK = { code: STATUS_CODES.OK, message: 'OK' };
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const tick = () => new Promise((r) => setImmediate(r));
async function until(what: string, condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await tick();
  assert.ok(condition(), what);
}

class FakeStream extends EventEmitter {
  cancel(): void {
    setImmediate(() => this.emit('error', Object.assign(new Error('Cancelled'), { code: 1, details: 'Cancelled', metadata: {} })));
  }
}

function message(id: string, extra: { group?: string; attempt?: number; corrupted?: boolean } = {}): WireReceivedMessage {
  return {
    topic: { name: 't' },
    body: Buffer.from(id),
    systemProperties: {
      messageId: id, receiptHandle: `h-${id}`, deliveryAttempt: extra.attempt ?? 1,
      ...(extra.group !== undefined && { messageGroup: extra.group }),
      ...(extra.corrupted === true && { bodyDigest: { type: 2, checksum: createHash('md5').update('something else').digest('hex') } }),
    },
  };
}

const retryable = () => new BrokerUnreachableError('b:1', 'connection reset');
const stale = () => new BrokerRefusedError(STATUS_CODES.INVALID_RECEIPT_HANDLE, 'stale handle');

/** A session whose receives answer the batches queued with `deliver`, and which records unary calls. */
function fakeSession(settings: Partial<ConsumerSettings> = {}) {
  const batches: WireReceivedMessage[][] = [];
  const open: FakeStream[] = [];
  const calls: Array<{ method: string; request: Record<string, unknown> }> = [];
  const requests: Array<Record<string, unknown>> = [];
  const timeouts: number[] = [];
  const endpoints = ['b:1'];
  const polledAt: string[] = [];
  /** Per method, what its next calls do first: throw the error, or wait for the promise. */
  const script: Record<string, Array<Error | Promise<void>>> = {};
  let targets: Promise<void> | undefined;
  let closed = false;
  const answer = (stream: FakeStream, batch: WireReceivedMessage[]) => {
    setImmediate(() => {
      const frames: ReceiveFrame[] = [{ status: OK }, ...batch.map((m) => ({ message: m })), { deliveryTimestamp: { seconds: 1 } }];
      for (const frame of frames) stream.emit('data', frame);
      stream.emit('end');
    });
  };
  const session: ConsumerSession = {
    requestTimeoutMs: 1000,
    namespace: '',
    start: async () => undefined,
    receiveTargets: async () => {
      await targets;
      return endpoints.map((endpoint) => ({ key: endpoint, queue: { id: 0 }, endpoint }));
    },
    settings: () => ({ fifo: false, longPollingMs: 1000, maxAttempts: 3, retryDelayMs: (attempt) => 1000 * attempt, ...settings }),
    unary: async <Res>(_endpoint: string, method: string, request: object) => {
      calls.push({ method, request: request as Record<string, unknown> });
      const next = script[method]?.shift();
      if (next instanceof Error) throw next;
      await next;
      if (method === 'AckMessage') {
        const entries = (request as { entries: Array<{ messageId: string; receiptHandle: string }> }).entries;
        return { status: OK, entries: entries.map((e) => ({ ...e, status: OK })) } as Res;
      }
      if (method === 'ChangeInvisibleDuration') return { status: OK, receiptHandle: 'new' } as Res;
      return { status: OK } as Res;
    },
    receiveStream: (endpoint, request, timeoutMs) => {
      requests.push(request as Record<string, unknown>);
      timeouts.push(timeoutMs);
      polledAt.push(endpoint);
      const stream = new FakeStream();
      const batch = batches.shift();
      if (batch) answer(stream, batch);
      else open.push(stream);
      return stream;
    },
    callError: (error) => new BrokerUnreachableError('b:1', error.message),
    close: async () => {
      closed = true;
    },
  };
  const deliver = (...batch: WireReceivedMessage[]) => {
    const stream = open.shift();
    if (stream) answer(stream, batch);
    else batches.push(batch);
  };
  const holdTargets = () => {
    let release!: () => void;
    targets = new Promise<void>((resolve) => { release = resolve; });
    return release;
  };
  return { session, calls, requests, timeouts, deliver, endpoints, polledAt, script, open, holdTargets, isClosed: () => closed };
}

function runtime(session: ConsumerSession, overrides: Partial<PushRuntimeOptions>): PushRuntime {
  return new PushRuntime(session, {
    group: 'g', subscriptions: { t: '*' }, handler: async () => undefined, onHandlerError: () => undefined, deadLetter: undefined,
    concurrency: 4, receiveBatchSize: 32, parallelReceives: 2, invisibleMs: 30_000, logger: quiet,
    sleep: async () => undefined,
    ...overrides,
  });
}

const ackedIds = (calls: Array<{ method: string; request: Record<string, unknown> }>) =>
  calls.filter((c) => c.method === 'AckMessage').flatMap((c) => (c.request.entries as Array<{ messageId: string }>).map((e) => e.messageId));

test('receives with auto-renew, batch size, long poll and invisible time; a handled message is acked', async () => {
  const fake = fakeSession();
  const handled: string[] = [];
  const push = runtime(fake.session, { handler: async (m) => void handled.push(m.messageId), receiveBatchSize: 8 });
  await push.start();
  await until('two long polls', () => fake.requests.length === 2);
  const request = fake.requests[0]!;
  assert.equal(request.autoRenew, true);
  assert.equal(request.batchSize, 8);
  assert.deepEqual(request.longPollingTimeout, { seconds: 1, nanos: 0 });
  assert.deepEqual(request.invisibleDuration, { seconds: 30, nanos: 0 });
  assert.deepEqual(request.filterExpression, { type: 1, expression: '*' });
  assert.ok(fake.timeouts[0]! >= 5000 + 1000, `a 1 s long poll still leaves a proxy its 5 s and a margin (${fake.timeouts[0]} ms)`);
  fake.deliver(message('a'), message('b'));
  await until('both acked', () => ackedIds(fake.calls).length === 2);
  assert.deepEqual(handled.sort(), ['a', 'b']);
  await push.stop();
});

test('a failing handler is reported and nacked with the retry delay; deadLetter() true forwards it instead', async () => {
  const fake = fakeSession();
  const reported: string[] = [];
  const push = runtime(fake.session, {
    handler: async () => {
      throw new Error('nope');
    },
    onHandlerError: (error, m) => reported.push(`${m.messageId}: ${(error as Error).message}`),
    deadLetter: (_error, m) => m.messageId === 'poison',
  });
  await push.start();
  fake.deliver(message('retry', { attempt: 2 }), message('poison'));
  await until('both settled', () => fake.calls.length === 2);
  const nack = fake.calls.find((c) => c.method === 'ChangeInvisibleDuration')!;
  assert.equal(nack.request.messageId, 'retry');
  assert.deepEqual(nack.request.invisibleDuration, { seconds: 2, nanos: 0 });
  const forward = fake.calls.find((c) => c.method === 'ForwardMessageToDeadLetterQueue')!;
  assert.equal(forward.request.messageId, 'poison');
  assert.equal(forward.request.maxDeliveryAttempts, 3);
  assert.deepEqual(ackedIds(fake.calls), []);
  assert.deepEqual(reported.sort(), ['poison: nope', 'retry: nope']);
  await push.stop();
});

test('FIFO: a group runs in order; a failure is retried in place (attempt + 1), then forwarded after max attempts', async () => {
  const fake = fakeSession({ fifo: true });
  const seen: string[] = [];
  const slept: number[] = [];
  const push = runtime(fake.session, {
    handler: async (m) => {
      seen.push(`${m.messageId}#${m.deliveryAttempt}`);
      if (m.messageId === 'g1') throw new Error('fails');
    },
    sleep: async (ms) => void slept.push(ms),
  });
  await push.start();
  fake.deliver(message('g1', { group: 'g' }), message('g2', { group: 'g' }), message('x'));
  await until('g2 acked', () => ackedIds(fake.calls).includes('g2'));
  const groupOrder = seen.filter((s) => s.startsWith('g'));
  assert.deepEqual(groupOrder, ['g1#1', 'g1#2', 'g1#3', 'g2#1']);
  assert.deepEqual(slept, [1000, 2000]);
  const forward = fake.calls.find((c) => c.method === 'ForwardMessageToDeadLetterQueue')!;
  assert.equal(forward.request.messageId, 'g1');
  assert.equal(forward.request.deliveryAttempt, 3);
  assert.ok(ackedIds(fake.calls).includes('x'));
  await push.stop();
});

test('at most `concurrency` handlers run at once', async () => {
  const fake = fakeSession();
  let running = 0;
  let peak = 0;
  const release: Array<() => void> = [];
  const push = runtime(fake.session, {
    concurrency: 2,
    handler: async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise<void>((resolve) => release.push(resolve));
      running--;
    },
  });
  await push.start();
  fake.deliver(...['a', 'b', 'c', 'd', 'e'].map((id) => message(id)));
  await until('two running', () => release.length === 2);
  await tick();
  assert.equal(peak, 2);
  while (ackedIds(fake.calls).length < 5) {
    release.shift()?.();
    await tick();
  }
  assert.equal(peak, 2);
  await push.stop();
});

test('stop() cancels the long polls, waits for the running handler and its ack, and runs nothing after', async () => {
  const fake = fakeSession();
  const started: string[] = [];
  let finish!: () => void;
  let answerAck!: () => void;
  fake.script.AckMessage = [new Promise<void>((resolve) => { answerAck = resolve; })];
  const push = runtime(fake.session, {
    concurrency: 1,
    handler: async (m: ReceivedMessage) => {
      started.push(m.messageId);
      if (m.messageId === 'slow') await new Promise<void>((resolve) => { finish = resolve; });
    },
  });
  await push.start();
  fake.deliver(message('slow'), message('queued'));
  await until('slow running', () => started.length === 1);
  let stopped = false;
  const stopping = push.stop().then(() => {
    stopped = true;
  });
  await tick();
  await tick();
  assert.equal(stopped, false, 'stop() waits for the running handler');
  finish();
  await until('the ack sent', () => ackedIds(fake.calls).length === 1);
  await tick();
  assert.equal(stopped, false, 'stop() waits for the ack in flight');
  answerAck();
  await stopping;
  assert.deepEqual(started, ['slow'], 'the queued message is not handled');
  assert.deepEqual(ackedIds(fake.calls), ['slow']);
});

test('refreshTargets() starts long polls for a broker that joined the route, and none twice', async () => {
  const fake = fakeSession();
  const push = runtime(fake.session, { parallelReceives: 1 });
  await push.start();
  await until('one poll', () => fake.polledAt.length === 1);
  await push.refreshTargets();
  await tick();
  assert.deepEqual(fake.polledAt, ['b:1'], 'the same broker is not polled twice');
  fake.endpoints.push('b:2');
  await push.refreshTargets();
  await until('a poll of the new broker', () => fake.polledAt.includes('b:2'));
  assert.deepEqual(fake.polledAt, ['b:1', 'b:2']);
  await push.stop();
  await push.refreshTargets();
  assert.deepEqual(fake.polledAt, ['b:1', 'b:2'], 'nothing after stop()');
});

test('a corrupted delivery is not handled: nacked in a plain group; forwarded in a FIFO group, again until it worked, before its group goes on', async () => {
  const plain = fakeSession();
  const handled: string[] = [];
  const push = runtime(plain.session, { handler: async (m) => void handled.push(m.messageId) });
  await push.start();
  plain.deliver(message('bad', { corrupted: true }));
  await until('nacked', () => plain.calls.some((c) => c.method === 'ChangeInvisibleDuration'));
  assert.deepEqual(handled, []);
  await push.stop();

  const fifo = fakeSession({ fifo: true });
  fifo.script.ForwardMessageToDeadLetterQueue = [retryable(), retryable()];
  const slept: number[] = [];
  const ordered: string[] = [];
  const fifoPush = runtime(fifo.session, { handler: async (m) => void ordered.push(m.messageId), sleep: async (ms) => void slept.push(ms) });
  await fifoPush.start();
  fifo.deliver(message('bad', { group: 'g', corrupted: true }), message('next', { group: 'g' }));
  await until('next acked', () => ackedIds(fifo.calls).includes('next'));
  assert.deepEqual(fifo.calls.filter((c) => c.method !== 'AckMessage').map((c) => c.method), Array(3).fill('ForwardMessageToDeadLetterQueue'));
  assert.equal(slept.length, 2, 'a pause between forwards');
  assert.deepEqual(ordered, ['next']);
  await fifoPush.stop();
});

test('FIFO: a message out of attempts whose forward fails is forwarded again, not nacked; its group waits', async () => {
  const fake = fakeSession({ fifo: true, maxAttempts: 1 });
  fake.script.ForwardMessageToDeadLetterQueue = [retryable()];
  const seen: string[] = [];
  const push = runtime(fake.session, {
    handler: async (m) => {
      seen.push(m.messageId);
      if (m.messageId === 'g1') throw new Error('fails');
    },
  });
  await push.start();
  fake.deliver(message('g1', { group: 'g' }), message('g2', { group: 'g' }));
  await until('g2 acked', () => ackedIds(fake.calls).includes('g2'));
  assert.deepEqual(fake.calls.map((c) => c.method), ['ForwardMessageToDeadLetterQueue', 'ForwardMessageToDeadLetterQueue', 'AckMessage']);
  assert.deepEqual(seen, ['g1', 'g2']);
  await push.stop();
});

test('a failed ack is tried again (three attempts); a stale receipt is not; once stopping nothing is', async () => {
  const fake = fakeSession();
  fake.script.AckMessage = [retryable(), retryable(), retryable()];
  const push = runtime(fake.session, {
    handler: async (m) => {
      if (m.messageId === 'n') throw new Error('nack me');
    },
  });
  await push.start();
  fake.deliver(message('a'));
  await until('three ack attempts', () => fake.calls.filter((c) => c.method === 'AckMessage').length === 3);
  await tick();
  assert.equal(fake.calls.filter((c) => c.method === 'AckMessage').length, 3, 'no fourth attempt');
  fake.script.ChangeInvisibleDuration = [stale()];
  fake.deliver(message('n'));
  await until('the nack', () => fake.calls.some((c) => c.method === 'ChangeInvisibleDuration'));
  await tick();
  await tick();
  assert.equal(fake.calls.filter((c) => c.method === 'ChangeInvisibleDuration').length, 1, 'a stale receipt is not tried again');
  await push.stop();

  const stopping = fakeSession();
  let failAck!: () => void;
  stopping.script.AckMessage = [new Promise<void>((_resolve, reject) => { failAck = () => reject(retryable()); })];
  const second = runtime(stopping.session, {});
  await second.start();
  stopping.deliver(message('s'));
  await until('the ack in flight', () => stopping.calls.length === 1);
  const stopped = second.stop();
  failAck();
  await stopped;
  assert.equal(stopping.calls.length, 1, 'a failure while stopping is not tried again');
});

test('stop() during start(): the routes that arrive later start no long poll', async () => {
  const fake = fakeSession();
  const release = fake.holdTargets();
  const push = runtime(fake.session, {});
  const starting = push.start();
  await push.stop();
  release();
  await starting;
  await tick();
  assert.deepEqual(fake.polledAt, []);
});

test('refreshTargets() stops the long polls of a broker that left the route', async () => {
  const fake = fakeSession();
  fake.endpoints.push('b:2');
  const push = runtime(fake.session, { parallelReceives: 1 });
  await push.start();
  await until('both polled', () => fake.polledAt.length === 2);
  const [, second] = fake.open;
  let cancelled = false;
  second!.cancel = () => {
    cancelled = true;
    setImmediate(() => second!.emit('error', Object.assign(new Error('Cancelled'), { code: 1 })));
  };
  fake.endpoints.splice(1, 1);
  await push.refreshTargets();
  await until('its poll cancelled', () => cancelled);
  await push.stop();
  assert.equal(fake.polledAt.filter((e) => e === 'b:2').length, 1, 'not polled again');
});

test('a logger or error report that throws does not stop the consumer', async () => {
  const fake = fakeSession();
  fake.script.AckMessage = [retryable(), retryable(), retryable()];
  const handled: string[] = [];
  const throwing = { info: () => { throw new Error('log'); }, warn: () => { throw new Error('log'); }, error: () => { throw new Error('log'); } };
  const push = runtime(fake.session, {
    logger: safeLogger(throwing),
    handler: async (m) => {
      handled.push(m.messageId);
      if (m.messageId === 'a') throw new Error('fails');
    },
    onHandlerError: () => {
      throw new Error('report');
    },
  });
  await push.start();
  fake.deliver(message('a'), message('b'));
  await until('both handled and settled', () => handled.length === 2 && fake.calls.length >= 4);
  await push.stop();
});

test('targets: one readable queue per broker name (brokers behind a proxy share its endpoint), none when no queue is readable', () => {
  const queue = (name: string, id: number, permission: number, port = 8081) =>
    ({ id, permission, broker: { name, endpoints: { addresses: [{ host: 'proxy', port }] } } });
  const targets = targetsOf([queue('a', 0, 2), queue('a', 1, 4), queue('b', 0, 3), queue('b', 1, 4), queue('c', 0, 1)]);
  assert.deepEqual(targets.map((t) => [t.key, t.endpoint, t.queue.id]), [['a', 'proxy:8081', 0], ['b', 'proxy:8081', 1]]);
  assert.deepEqual(targetsOf([queue('a', 0, 3), queue('b', 0, 1)]), []);
});

test('a topic with no readable queue at start() is polled once a refresh finds one', async () => {
  const fake = fakeSession();
  fake.endpoints.length = 0;
  const push = runtime(fake.session, { parallelReceives: 1 });
  await push.start();
  fake.endpoints.push('b:1');
  await push.refreshTargets();
  await until('polled', () => fake.polledAt.length === 1);
  await push.stop();
});
