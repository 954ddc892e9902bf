import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { topicFromWire, traceFromWire } from '../src/client/admin-from-wire.js';
import type { WireTopic, WireTraceEvent } from '../src/client/admin-proto.js';
import { createBrokerAdmin } from '../src/client/broker-admin.js';
import { traceEventToWire } from '../src/admin/wire-views.js';
import type { TraceEvent } from '../src/core/views/index.js';
import { BrokerError } from '../src/errors.js';
import { FakeAdminBackend, startFakeAdminServer } from './fake-admin-backend.js';

const logged: { msg: string; level: number }[] = [];
const log = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
let backend: FakeAdminBackend;
let server: Awaited<ReturnType<typeof startFakeAdminServer>>;
let admin: ReturnType<typeof createBrokerAdmin>;
before(async () => {
  backend = new FakeAdminBackend();
  server = await startFakeAdminServer(backend, { log });
  admin = createBrokerAdmin({ endpoints: server.endpoint, timeoutMs: 5000 });
});
after(async () => {
  await admin.close();
  await server.close();
});

test('an unexpected failure answers "internal error (see the broker log)"; its message stays in the broker log', async () => {
  backend.listTopics = () => {
    throw new Error('EIO reading /var/lib/txmq/data.mdb');
  };
  try {
    await assert.rejects(admin.listTopics(), (e: unknown) => e instanceof BrokerError && /internal error \(see the broker log\)/.test(e.message) && !/EIO|\/var\/lib/.test(e.message));
    assert.ok(logged.some((entry) => entry.msg === 'admin request failed'), 'logged on the broker');
  } finally {
    delete (backend as Partial<FakeAdminBackend>).listTopics;
  }
});

test('changes are logged by the core (once), not again by the admin service', async () => {
  logged.length = 0;
  await admin.createTopic('logged-once');
  await admin.updateGroup('billing', { fifo: true });
  await admin.resetGroup('billing', 'end');
  await admin.resendDeadLetter('billing', 'M1');
  assert.deepEqual(logged.filter((entry) => entry.level >= 30).map((entry) => entry.msg), []);
});

test('enum values map by table both ways; one the client does not know is an error, not a guess', () => {
  const types: TraceEvent['type'][] = ['sent', 'stored', 'delivered', 'acked', 'redelivered', 'dead-lettered', 'recalled', 'checked', 'committed', 'rolled-back'];
  const wire = types.map((type) => traceEventToWire({ type, at: 1 }));
  assert.deepEqual(wire.map((e) => e.type), ['SENT', 'STORED', 'DELIVERED', 'ACKED', 'REDELIVERED', 'DEAD_LETTERED', 'RECALLED', 'CHECKED', 'COMMITTED', 'ROLLED_BACK']);
  assert.deepEqual(traceFromWire('M', wire).events.map((e) => e.type), types);
  const unknownType = { ...wire[0]!, type: 'TRACE_EVENT_TYPE_UNSPECIFIED' } as WireTraceEvent;
  assert.throws(() => traceFromWire('M', [unknownType]), /trace event type "TRACE_EVENT_TYPE_UNSPECIFIED", which this client does not know/);
  const topic: WireTopic = { name: 't', queues: 1, messageType: 'NORMAL', origin: 'SETTINGS_ORIGIN_UNSPECIFIED', firstOffset: 0, nextOffset: 0, lastStoredAtMs: 0 };
  assert.throws(() => topicFromWire(topic), /origin "SETTINGS_ORIGIN_UNSPECIFIED"/);
  assert.equal(topicFromWire({ ...topic, origin: 'AUTO' }).origin, 'auto');
});
