import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AdminBackend } from '../src/admin/backend.js';
import type { BrokerCore } from '../src/core/broker-core.js';
import { brokerError, lmdbFactory } from './admin-helpers.js';
import { incoming, memoryCore, receiveRequest, testClock } from './helpers.js';

type CoreAdminPart = Pick<AdminBackend, 'listTopics' | 'describeTopic' | 'createTopic' | 'updateTopic' | 'listGroups' | 'describeGroup' | 'createGroup' | 'updateGroup' | 'listDeadLetters' | 'resendDeadLetter' | 'resetGroup'>;
// The compiler checks that BrokerCore has this part of the AdminBackend contract, with its signatures.
const implementsContract = (core: BrokerCore): CoreAdminPart => core;

test('topics: create, update, list and describe with offsets; origin config, admin or auto', async () => {
  const clock = testClock();
  const core = memoryCore({ topics: { declared: { queues: 4 } } }, { now: clock.now });
  implementsContract(core);
  const created = await core.createTopic('orders', { queues: 8, messageType: 'FIFO' });
  assert.deepEqual(created, { name: 'orders', queues: 8, messageType: 'FIFO', origin: 'admin', firstOffset: 0, nextOffset: 0 });
  assert.equal(core.topic('orders').queues, 8, 'routes use it at once');
  await core.send(incoming('plain'), 'p');
  clock.advance(10);
  await core.send(incoming('plain'), 'p');
  const plain = core.describeTopic('plain');
  assert.deepEqual(plain, { name: 'plain', queues: 1, messageType: 'MIXED', origin: 'auto', firstOffset: 0, nextOffset: 2, lastStoredAt: clock.now() });

  const updated = await core.updateTopic('declared', { messageType: 'DELAY' });
  assert.deepEqual([updated.queues, updated.messageType, updated.origin], [4, 'DELAY', 'admin'], 'what the change leaves out stays');
  assert.deepEqual(core.listTopics().items.map((t) => [t.name, t.origin]), [['declared', 'admin'], ['orders', 'admin'], ['plain', 'auto']]);
  const page = core.listTopics({ pageSize: 2 });
  assert.equal(page.items.length, 2);
  assert.deepEqual(core.listTopics({ pageToken: page.nextPageToken! }).items.map((t) => t.name), ['plain']);
  await core.close();
});

test('topic changes are validated with errors that name what is wrong', async () => {
  const core = memoryCore({ topics: { declared: {} } });
  const invalid = (pattern: RegExp, code = 'BAD_REQUEST') => brokerError('InvalidRequestError', code, pattern);
  await assert.rejects(core.createTopic('t', { queues: 0 }), invalid(/queues must be an integer from 1 to 64, got .*0/));
  await assert.rejects(core.createTopic('t', { queues: 65 }), invalid(/queues/));
  await assert.rejects(core.createTopic('t', { messageType: 'LITE' as never }), invalid(/messageType must be one of NORMAL, FIFO, DELAY, TRANSACTION, MIXED, got "LITE"/));
  await assert.rejects(core.createTopic('bad name', {}), invalid(/illegal topic name "bad name"/, 'ILLEGAL_TOPIC'));
  await assert.rejects(core.createTopic('RMQ_SYS_X', {}), invalid(/reserved system topic/, 'ILLEGAL_TOPIC'));
  await assert.rejects(core.createTopic('%DLQ%G', {}), invalid(/dead-letter topic/, 'ILLEGAL_TOPIC'));
  await assert.rejects(core.createTopic('declared', {}), invalid(/topic "declared" already exists \(origin config\)/, 'PRECONDITION_FAILED'));
  await assert.rejects(core.updateTopic('missing', {}), brokerError('NotFoundError', 'TOPIC_NOT_FOUND', /topic "missing" does not exist/));
  assert.throws(() => core.describeTopic('missing'), brokerError('NotFoundError', 'TOPIC_NOT_FOUND', /missing/));
  const fresh = await core.createTopic('fresh', {});
  assert.deepEqual([fresh.queues, fresh.messageType], [1, 'NORMAL'], 'the defaults of a declared topic');
  await core.close();
});

test('an operator\'s topic and group settings survive a restart and win over the config file\'s', async () => {
  const factory = await lmdbFactory();
  try {
    const config = { autoCreateTopics: false, autoCreateGroups: false, topics: { declared: { queues: 2 } }, groups: { G: { maxDeliveryAttempts: 5 } } };
    const first = factory.open(config);
    await first.createTopic('made', { queues: 3 });
    await first.updateTopic('declared', { queues: 16 });
    await first.createGroup('H', { fifo: true, retryBackoff: { initialMs: 10 } });
    await first.updateGroup('G', { maxDeliveryAttempts: 9 });
    await first.close();

    const second = factory.open({ ...config, topics: { declared: { queues: 5 } } });
    assert.deepEqual([second.describeTopic('made').queues, second.describeTopic('made').origin], [3, 'admin']);
    assert.deepEqual([second.describeTopic('declared').queues, second.describeTopic('declared').origin], [16, 'admin'], 'the admin change overrides the config file');
    assert.equal(second.topic('made').queues, 3, 'routable with autoCreateTopics off');
    const h = second.describeGroup('H');
    assert.deepEqual([h.fifo, h.retryBackoff, h.origin], [true, { initialMs: 10, maxMs: 60_000, multiplier: 2 }, 'admin']);
    assert.equal(second.group('G').maxDeliveryAttempts, 9);
    assert.equal(second.describeGroup('G').origin, 'admin');
    await second.close();
  } finally {
    await factory.cleanup();
  }
});

test('group changes are validated; creating a known group is refused', async () => {
  const core = memoryCore({ groups: { declared: {} } });
  const invalid = (pattern: RegExp, code = 'BAD_REQUEST') => brokerError('InvalidRequestError', code, pattern);
  await assert.rejects(core.createGroup('G', { maxDeliveryAttempts: 0 }), invalid(/maxDeliveryAttempts must be an integer from 1 to 1000, got .*0/));
  await assert.rejects(core.createGroup('G', { maxDeliveryAttempts: 1001 }), invalid(/maxDeliveryAttempts/));
  await assert.rejects(core.createGroup('G', { retryBackoff: { multiplier: 0.5 } }), invalid(/retryBackoff.multiplier must be a number of at least 1/));
  await assert.rejects(core.createGroup('G', { retryBackoff: { initialMs: -1 } }), invalid(/retryBackoff.initialMs/));
  await assert.rejects(core.createGroup('G', { fifo: 'yes' as never }), invalid(/fifo must be true or false/));
  await assert.rejects(core.createGroup('a@b', {}), invalid(/illegal consumer group "a@b"/, 'ILLEGAL_CONSUMER_GROUP'));
  await assert.rejects(core.createGroup('declared', {}), invalid(/consumer group "declared" already exists \(origin config\)/, 'PRECONDITION_FAILED'));
  await core.send(incoming('t'), 'p');
  await core.receive(receiveRequest('seen', 't'));
  await assert.rejects(core.createGroup('seen', {}), invalid(/already exists \(origin auto\)/, 'PRECONDITION_FAILED'));
  await assert.rejects(core.updateGroup('missing', {}), brokerError('NotFoundError', 'CONSUMER_GROUP_NOT_FOUND', /"missing" does not exist/));
  const made = await core.createGroup('made', { maxDeliveryAttempts: 3 });
  assert.deepEqual([made.maxDeliveryAttempts, made.fifo, made.broadcast, made.origin, made.subscriptions], [3, false, false, 'admin', []]);
  await core.close();
});

test('groups show per-(consumer, topic) lag, in-flight, consumers online and dead letters', async () => {
  const clock = testClock();
  const core = memoryCore({ groups: { G: { maxDeliveryAttempts: 1 }, B: { broadcast: true } } }, { now: clock.now });
  for (let i = 0; i < 5; i++) await core.send(incoming('a'), 'p');
  for (let i = 0; i < 3; i++) await core.send(incoming('b'), 'p');
  core.configureClient('c1', { role: 'simple-consumer', subscription: { group: 'G', topics: ['a', 'b'] } });
  core.configureClient('c2', { role: 'simple-consumer', subscription: { group: 'G', topics: ['a'] } });
  core.configureClient('b1', { role: 'push-consumer', subscription: { group: 'B', topics: ['a'] } });
  await core.send(incoming('a'), 'p'); // after the broadcast client joined: only it is the broadcast consumer's

  const delivered = await core.receive(receiveRequest('G', 'a', { batchSize: 2, invisibleMs: 1000 }));
  await core.ack('G', 'a', delivered[0]!.receiptHandle);
  await core.receive(receiveRequest('G', 'b', { batchSize: 3 }));
  let g = core.describeGroup('G');
  assert.equal(g.consumersOnline, 2);
  assert.deepEqual(g.subscriptions, [
    { topic: 'a', consumer: 'G', nextOffset: 2, endOffset: 6, lag: 4, inFlight: 1 },
    { topic: 'b', consumer: 'G', nextOffset: 3, endOffset: 3, lag: 0, inFlight: 3 },
  ]);
  assert.deepEqual([g.lag, g.inFlight, g.deadLetters], [4, 4, 0]);

  clock.advance(1000); // the unacknowledged one used its single attempt: it moves to %DLQ%G on the next receive
  await core.receive(receiveRequest('G', 'a', { batchSize: 1 }));
  g = core.describeGroup('G');
  assert.deepEqual([g.subscriptions[0]!.nextOffset, g.subscriptions[0]!.inFlight, g.deadLetters], [3, 1, 1]);

  const b = core.describeGroup('B');
  assert.deepEqual(b.subscriptions, [{ topic: 'a', consumer: 'b1', nextOffset: 5, endOffset: 6, lag: 1, inFlight: 0 }], 'a broadcast position is per client id');
  assert.equal(b.consumersOnline, 1);
  assert.deepEqual(core.listGroups().items.map((x) => x.name), ['B', 'G']);

  clock.advance(200_000); // no heartbeat, no stream: the clients expire
  await core.maintainDeliveries();
  assert.equal(core.describeGroup('G').consumersOnline, 0);
  await core.close();
});

test('groups known only from the store (positions, dead letters) are listed after a restart', async () => {
  const factory = await lmdbFactory();
  try {
    const first = factory.open({ groups: { D: { maxDeliveryAttempts: 1 } } });
    await first.send(incoming('t'), 'p');
    await first.receive(receiveRequest('auto1', 't'));
    const [d] = await first.receive(receiveRequest('D', 't'));
    await first.forwardToDeadLetter('D', 't', d!.receiptHandle);
    await first.close();
    const second = factory.open({ autoCreateGroups: false });
    const groups = second.listGroups().items;
    assert.deepEqual(groups.map((g) => [g.name, g.origin, g.lag, g.inFlight, g.deadLetters]), [['D', 'auto', 0, 0, 1], ['auto1', 'auto', 0, 1, 0]]);
    assert.equal(second.describeGroup('auto1').subscriptions[0]!.nextOffset, 1);
    await second.close();
  } finally {
    await factory.cleanup();
  }
});

test('fifo and broadcast are not changed under running consumers; the other settings apply at once', async () => {
  const clock = testClock();
  const core = memoryCore({}, { now: clock.now });
  core.configureClient('c1', { role: 'push-consumer', subscription: { group: 'G', topics: ['t'] } });
  await assert.rejects(core.updateGroup('G', { fifo: true }), brokerError('InvalidRequestError', 'PRECONDITION_FAILED', /cannot change fifo of consumer group "G" while 1 of its consumers are online/));
  await assert.rejects(core.updateGroup('G', { broadcast: true }), brokerError('InvalidRequestError', 'PRECONDITION_FAILED', /cannot change broadcast of consumer group "G": 1 of its consumers are online/));
  assert.equal(core.group('G').fifo, false, 'nothing changed');
  assert.equal((await core.updateGroup('G', { fifo: false, maxDeliveryAttempts: 2 })).maxDeliveryAttempts, 2, 'an unchanged fifo is no change');

  await core.send(incoming('t'), 'p');
  for (let attempt = 1; attempt <= 2; attempt++) {
    assert.equal((await core.receive(receiveRequest('G', 't', { invisibleMs: 1000 })))[0]!.attempt, attempt);
    clock.advance(1000);
  }
  assert.deepEqual(await core.receive(receiveRequest('G', 't')), [], 'the new maxDeliveryAttempts dead-letters it after 2');
  assert.equal(core.describeGroup('G').deadLetters, 1);

  core.terminateClient('c1');
  const fifo = await core.updateGroup('G', { fifo: true });
  assert.equal(fifo.fifo, true, 'fifo changes once no consumer is online');
  await assert.rejects(core.updateGroup('G', { broadcast: true }), brokerError('InvalidRequestError', 'PRECONDITION_FAILED', /it has 1 consumption position\(s\).*use a new group name/));
  await core.createGroup('fresh', {});
  assert.equal((await core.updateGroup('fresh', { broadcast: true })).broadcast, true, 'a group without positions may switch');
  await core.close();
});
