import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runAdmin } from '../src/cli/admin/admin-command.js';
import { FakeAdminBackend, message, startFakeAdminServer } from './fake-admin-backend.js';

let backend: FakeAdminBackend;
let server: Awaited<ReturnType<typeof startFakeAdminServer>>;
before(async () => {
  backend = new FakeAdminBackend();
  server = await startFakeAdminServer(backend);
});
after(() => server.close());

/** Runs `txmq-broker admin ...argv` against the fake broker (unless argv names an endpoint), capturing its output. */
async function admin(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const args = argv.some((a) => a.startsWith('--endpoint')) || argv.includes('--help') ? argv : [...argv, '--endpoint', server.endpoint];
  const code = await runAdmin(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Runs with `--json` and parses stdout, which must be exactly one JSON document. */
async function json(...argv: string[]): Promise<{ code: number; doc: any; err: string }> {
  const run = await admin(...argv, '--json');
  return { code: run.code, doc: JSON.parse(run.out), err: run.err };
}

test('bad command lines exit 2 with what is wrong and the usage, nothing on stdout', async () => {
  const cases: [string[], RegExp][] = [
    [[], /^txmq-broker admin: missing command/],
    [['frobnicate'], /^txmq-broker admin: unknown command "frobnicate"/],
    [['topics', '--bogus'], /^txmq-broker admin topics: Unknown option '--bogus'/],
    [['topics', 'create'], /^txmq-broker admin topics: missing topic name\nusage:/],
    [['topics', 'create', 'a', '--queues', '65'], /--queues must be a whole number from 1 to 64, got 65/],
    [['topics', 'create', 'a', '--message-type', 'weird'], /--message-type must be one of NORMAL, FIFO, DELAY, TRANSACTION, MIXED, got weird/],
    [['topics', 'update', 'a'], /update needs --queues or --message-type/],
    [['topics', 'delete', 'a'], /unknown action "delete"/],
    [['groups', 'create', 'g', '--fifo', '--no-fifo'], /--fifo and --no-fifo contradict each other/],
    [['groups', 'update', 'g'], /update needs at least one setting/],
    [['groups', 'a', 'b'], /unexpected argument "b"/],
    [['groups', 'create', 'g', '--retry-multiplier', '0'], /--retry-multiplier must be a number greater than 0/],
    [['message'], /give --id ID, or --topic T/],
    [['message', '--id', 'M1', '--topic', 'orders'], /--id goes alone/],
    [['message', '--topic', 'orders'], /--topic needs --key K, or both --from TIME and --to TIME/],
    [['message', '--topic', 'orders', '--from', 'yesterday', '--to', '2026-01-01'], /--from must be an ISO-8601 time such as 2026-01-31T12:00:00Z \(without a zone: local time\), got yesterday, which is not an ISO-8601 date or time/],
    [['message', '--topic', 'orders', '--from', '2026-01-02T00:00Z', '--to', '2026-01-01T00:00Z'], /--to \(2026-01-01T00:00:00\.000Z\) is before --from/],
    [['message', '--topic', 'orders', '--from', '2026-02-01T00:00Z', '--to', '2026-02-30'], /--to must be an ISO-8601 time .*, got 2026-02-30, which has day 30 while 2026-02 has 28 days/],
    [['reset', 'g', '--to', '2026-02-30T10:00:00Z'], /--to must be an ISO-8601 time .*which has day 30 while 2026-02 has 28 days/],
    [['reset', 'g', '--to', '2026-01-31T24:00Z'], /which has an hour past 23/],
    [['reset', 'g', '--to', '1969-12-31T23:00:00Z'], /which is before 1970-01-01T00:00:00Z/],
    [['message', '--id', ''], /--id must not be empty/],
    [['message', '--id', 'M1', '--page-size', '5'], /--page-size does not go with --id \(every copy of a message comes at once\)/],
    [['message', '--topic', 'orders', '--key', 'k', '--full-body', '--preview-bytes', '9'], /--preview-bytes does not go with --full-body/],
    [['groups', 'billing', '--page-size', '5', '--page-token', 'x'], /--page-size and --page-token do not go with one group/],
    [['groups', 'create', 'g', '--describe', 'h'], /--describe does not go with create/],
    [['topics', '--describe', 'orders', '--page-token', 'x'], /--page-token does not go with --describe/],
    [['dlq', 'resend', 'billing', 'M1', '--preview-bytes', '4'], /--preview-bytes does not go with resend/],
    [['message', '--topic', 'orders', '--key', ' '], /--key must not be empty/],
    [['trace', ''], /argument 1 is empty/],
    [['dlq', 'resend'], /missing GROUP and message ID/],
    [['dlq', 'resend', 'billing', ''], /argument 3 is empty/],
    [['groups', '--describe', ''], /--describe must not be empty/],
    [['message', '--topic', 'orders', '--key', 'k', '--page-size', '0'], /--page-size must be a whole number from 1 to 1000/],
    [['trace'], /missing message id/],
    [['trace', 'a', 'b'], /unexpected argument "b"/],
    [['dlq'], /missing consumer group/],
    [['dlq', 'resend', 'g'], /missing GROUP and message ID/],
    [['reset', 'g'], /missing --to TIME\|end/],
    [['reset', 'g', '--to', 'soon'], /--to must be an ISO-8601 time/],
    [['topics', '--timeout-ms', '0'], /--timeout-ms must be a positive integer, got 0/],
    [['topics', '--endpoint', 'localhost'], /--endpoint/],
    [['tx', 'commit'], /^txmq-broker admin tx: commit takes exactly one transaction id\nusage:\n {2}txmq-broker admin tx list/],
  ];
  for (const [argv, pattern] of cases) {
    const run = await admin(...argv);
    assert.equal(run.code, 2, `${argv.join(' ')}: ${run.err}`);
    assert.equal(run.out, '', argv.join(' '));
    assert.match(run.err, pattern, argv.join(' '));
  }
});

test('--help of admin and of each command prints its usage on stdout and exits 0', async () => {
  for (const argv of [['--help'], ['topics', '--help'], ['groups', '--help'], ['message', '--help'], ['trace', '--help'], ['dlq', '--help'], ['reset', '--help'], ['tx', '--help']]) {
    const run = await admin(...argv);
    assert.equal(run.code, 0, argv.join(' '));
    assert.match(run.out, /^usage:\n/, argv.join(' '));
    assert.equal(run.err, '');
  }
  assert.match((await admin('reset', '--help')).out, /--endpoint HOST:PORT/);
});

test('topics: an aligned table, a paged listing in JSON, describe, create and update', async () => {
  const table = await admin('topics');
  assert.equal(table.code, 0, table.err);
  const lines = table.out.split('\n');
  assert.equal(lines[0], 'NAME      QUEUES  TYPE         ORIGIN  FIRST OFFSET  NEXT OFFSET  LAST STORED');
  assert.equal(lines[1], 'orders    4       NORMAL       config  0             10           2023-11-14T22:13:20.100Z');
  assert.equal(lines[1]!.indexOf('config'), lines[0]!.indexOf('ORIGIN'), 'columns align');

  const first = await json('topics', '--page-size', '1');
  assert.deepEqual(first.doc, {
    items: [{ name: 'orders', queues: 4, messageType: 'NORMAL', origin: 'config', firstOffset: 0, nextOffset: 10, messages: 10, lastStoredAt: '2023-11-14T22:13:20.100Z' }],
    nextPageToken: '1',
  });
  const paged = await admin('topics', '--page-size', '1');
  assert.equal(paged.err, 'more: run again with --page-token 1');
  assert.deepEqual((await json('topics', '--page-size', '1', '--page-token', '1')).doc.items.map((t: { name: string }) => t.name), ['payments']);

  const described = await json('topics', '--describe', 'payments');
  assert.deepEqual([described.code, described.doc.name, described.doc.lastStoredAt], [0, 'payments', null]);
  const created = await json('topics', 'create', 'cli-topic', '--queues', '3', '--message-type', 'fifo');
  assert.deepEqual([created.code, created.doc.queues, created.doc.messageType, created.doc.origin], [0, 3, 'FIFO', 'admin']);
  const updated = await admin('topics', 'update', 'cli-topic', '--queues', '5');
  assert.equal(updated.code, 0, updated.err);
  assert.match(updated.out, /^topic cli-topic updated\n {2}queues {9}5\n/);
});

test('not found and refused exit 1 with the broker message; with --json, stdout is one { error } document', async () => {
  const missing = await admin('topics', '--describe', 'nope');
  assert.deepEqual(missing, { code: 1, out: '', err: 'txmq-broker admin topics: topic nope does not exist' });
  const missingJson = await json('groups', 'nope');
  assert.deepEqual([missingJson.code, missingJson.doc], [1, { error: { code: 'CONSUMER_GROUP_NOT_FOUND', message: 'consumer group nope does not exist' } }]);
  const exists = await json('topics', 'create', 'orders');
  assert.deepEqual([exists.code, exists.doc.error.code], [1, 'PRECONDITION_FAILED']);
  const unreachable = await admin('topics', '--endpoint', '127.0.0.1:1', '--timeout-ms', '1000');
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.err, /cannot reach the broker at 127\.0\.0\.1:1: no connection within 1000 ms \(connecting waits --timeout-ms, at most 3000 ms\)[\s\S]*--endpoint HOST:PORT/);
});

test('an unreachable broker is reported within 3 s under the default --timeout-ms, in the command\'s terms', async () => {
  const started = Date.now();
  const unreachable = await json('topics', '--endpoint', '127.0.0.1:1');
  assert.ok(Date.now() - started < 4500, `took ${Date.now() - started} ms`);
  assert.deepEqual(unreachable.doc.error, { code: 'BROKER_UNREACHABLE', message: 'cannot reach the broker at 127.0.0.1:1: no connection within 3000 ms (connecting waits --timeout-ms, at most 3000 ms)' });
  assert.doesNotMatch(unreachable.err, /startupTimeoutMs/);
  const tx = await admin('tx', 'list', '--endpoint', '127.0.0.1:1', '--timeout-ms', '500');
  assert.equal(tx.code, 1);
  assert.match(tx.err, /^txmq-broker admin tx list: cannot reach the broker at 127\.0\.0\.1:1: no connection within 500 ms \(connecting waits --timeout-ms, at most 3000 ms\)/);
});

test('groups: the table shows lag, in-flight, online consumers and the DLQ size; describe shows each subscription', async () => {
  const table = await admin('groups');
  assert.equal(table.code, 0, table.err);
  assert.deepEqual(table.out.split('\n'), [
    'NAME     TYPE        ONLINE  LAG  IN FLIGHT  DLQ  MAX ATTEMPTS  ORIGIN',
    'billing  concurrent  1       7    2          1    16            config',
  ]);
  const described = await admin('groups', 'billing');
  assert.match(described.out, /^consumer group billing\n {2}type {14}concurrent\n/);
  assert.match(described.out, /\nTOPIC {3}CONSUMER {2}NEXT OFFSET {2}END OFFSET {2}LAG {2}IN FLIGHT\norders {2}billing {3}3 {12}10 {10}7 {4}2$/);
  assert.deepEqual((await json('groups', '--describe', 'billing')).doc.subscriptions, [{ topic: 'orders', consumer: 'billing', nextOffset: 3, endOffset: 10, lag: 7, inFlight: 2 }]);

  const created = await json('groups', 'create', 'cli-group', '--fifo', '--max-delivery-attempts', '4', '--retry-initial-ms', '500', '--retry-multiplier', '1.5');
  assert.equal(created.code, 0, created.err);
  assert.deepEqual(backend.calls.at(-1), ['createGroup', 'cli-group', { fifo: true, maxDeliveryAttempts: 4, retryBackoff: { initialMs: 500, multiplier: 1.5 } }]);
  assert.deepEqual([created.doc.fifo, created.doc.maxDeliveryAttempts, created.doc.retryBackoff], [true, 4, { initialMs: 500, maxMs: 60_000, multiplier: 1.5 }]);
  assert.equal((await admin('groups', 'update', 'cli-group', '--no-fifo')).code, 0);
  assert.deepEqual(backend.calls.at(-1), ['updateGroup', 'cli-group', { fifo: false }]);
});

test('message: by id, key and time; the JSON message has messageId, topic, keys, tag, storedAt; nothing found exits 1', async () => {
  const byId = await json('message', '--id', 'M1');
  assert.equal(byId.code, 0, byId.err);
  assert.deepEqual(byId.doc, {
    items: [
      {
        messageId: 'M1',
        topic: 'orders',
        keys: ['order-1'],
        tag: 'created',
        storedAt: '2023-11-14T22:13:20.100Z',
        offset: 0,
        queueId: 0,
        kind: 'NORMAL',
        messageGroup: null,
        properties: { p: 'v' },
        bornAt: '2023-11-14T22:13:20.000Z',
        bornHost: 'host-a',
        producerClientId: 'producer-1',
        deliverAt: null,
        deadLetter: null,
        bodySize: 11,
        bodyTruncated: false,
        bodyEncoding: 'utf8',
        body: '{"order":1}',
      },
    ],
  });
  const text = await admin('message', '--id', 'M2', '--preview-bytes', '4');
  assert.match(text.out, /^message M2\n {2}topic {7}orders \(queue 0, offset 1\)\n/);
  assert.match(text.out, /\n {2}body {8}first 4 of 1000 bytes: aaaa$/);

  const byKey = await json('message', '--topic', 'orders', '--key', 'order-1');
  assert.deepEqual(byKey.doc.items.map((m: { messageId: string; tag: unknown }) => [m.messageId, m.tag]), [['M1', 'created'], ['M3', null]]);
  const byTime = await json('message', '--topic', 'orders', '--from', '2023-11-14T22:14:00Z', '--to', '2023-11-14T22:15:00Z');
  assert.deepEqual(byTime.doc.items.map((m: { messageId: string }) => m.messageId), ['M2']);
  assert.deepEqual(backend.calls.at(-1), ['findMessagesByTime', 'orders', Date.parse('2023-11-14T22:14:00Z'), Date.parse('2023-11-14T22:15:00Z'), {}]);

  const zone = process.env.TZ;
  process.env.TZ = 'Europe/Berlin';
  try {
    const local = await json('message', '--topic', 'orders', '--from', '2023-11-14', '--to', '2023-11-14T23:30');
    assert.deepEqual(backend.calls.at(-1), ['findMessagesByTime', 'orders', Date.parse('2023-11-13T23:00:00Z'), Date.parse('2023-11-14T22:30:00Z'), {}], 'a date alone is local midnight, as a time without a zone is local');
    assert.equal(local.err, 'stored from 2023-11-13T23:00:00.000Z to 2023-11-14T22:30:00.000Z (UTC)');
  } finally {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  }

  const none = await json('message', '--id', 'nope');
  assert.deepEqual([none.code, none.doc], [1, { error: { code: 'MESSAGE_NOT_FOUND', message: 'no retained message matches id nope' } }]);
  const noneText = await admin('message', '--topic', 'orders', '--key', 'nope');
  assert.deepEqual(noneText, { code: 1, out: '', err: 'txmq-broker admin message: no retained message matches key nope in topic orders' });
  const noTopic = await admin('message', '--topic', 'nope', '--key', 'k');
  assert.deepEqual([noTopic.code, noTopic.err], [1, 'txmq-broker admin message: topic nope does not exist']);
});

test('trace: a table in time order, JSON { messageId, events: [{ type, at, group?, clientId?, attempt? }] }; unknown exits 1', async () => {
  const trace = await json('trace', 'M1');
  assert.deepEqual(trace.doc, {
    messageId: 'M1',
    events: [
      { type: 'sent', at: '2023-11-14T22:13:20.000Z', clientId: 'producer-1' },
      { type: 'stored', at: '2023-11-14T22:13:20.100Z', topic: 'orders' },
      { type: 'delivered', at: '2023-11-14T22:13:20.200Z', topic: 'orders', group: 'billing', clientId: 'consumer-1', attempt: 1 },
      { type: 'dead-lettered', at: '2023-11-14T22:13:20.300Z', topic: '%DLQ%billing', group: 'billing', attempt: 1, note: 'max attempts' },
    ],
  });
  const table = await admin('trace', 'M1');
  assert.deepEqual(table.out.split('\n').slice(0, 3), [
    'message M1',
    'AT                        EVENT          TOPIC         GROUP    CLIENT      ATTEMPT  NOTE',
    '2023-11-14T22:13:20.000Z  sent           -             -        producer-1  -',
  ]);
  const unknown = await json('trace', 'nope');
  assert.deepEqual([unknown.code, unknown.doc.error.code], [1, 'MESSAGE_NOT_FOUND']);
});

test('dlq: the dead letters with their origin; resend once, then refused (exit 1)', async () => {
  const table = await admin('dlq', 'billing');
  assert.equal(table.code, 0, table.err);
  assert.deepEqual(table.out.split('\n'), [
    'MESSAGE ID  ORIGIN TOPIC  DEAD-LETTERED             RESENT  TAG      KEYS     BODY',
    'M1          orders        2023-11-14T22:13:20.100Z  -       created  order-1  {"order":1}',
  ]);
  const listed = await json('dlq', 'billing');
  assert.deepEqual([listed.doc.items[0].group, listed.doc.items[0].resentAt, listed.doc.items[0].message.deadLetter], ['billing', null, { originTopic: 'orders', originMessageId: 'M1' }]);
  const resent = await admin('dlq', 'resend', 'billing', 'M1');
  assert.deepEqual(resent, { code: 0, out: 'message M1 resent from %DLQ%billing to orders (offset 10)', err: '' });
  assert.equal((await json('dlq', 'billing')).doc.items[0].resentAt, '2023-11-14T22:21:40.000Z');
  const again = await json('dlq', 'resend', 'billing', 'M1');
  assert.deepEqual([again.code, again.doc.error.code], [1, 'PRECONDITION_FAILED']);
  assert.equal((await admin('dlq', 'nope')).code, 1);
});

test('reset: to a time or to the end, on every topic or one', async () => {
  const toEnd = await admin('reset', 'billing', '--to', 'end');
  assert.equal(toEnd.code, 0, toEnd.err);
  assert.deepEqual(toEnd.out.split('\n'), ['consumer group billing reset to the end', 'TOPIC   CONSUMER  FROM OFFSET  TO OFFSET', 'orders  billing   3            10']);
  const toTime = await json('reset', 'billing', '--to', '2026-01-31T12:00:00+01:00', '--topic', 'orders');
  assert.deepEqual(backend.calls.at(-1), ['resetGroup', 'billing', { time: Date.parse('2026-01-31T11:00:00Z') }, 'orders']);
  assert.deepEqual(toTime.doc, { group: 'billing', subscriptions: [{ topic: 'orders', consumer: 'billing', from: 3, to: 0 }] });
});

test('admin tx: list is one JSON document, commit prints its result; tx list --json keeps one object per line', async () => {
  const half = (transactionId: string) => ({
    transactionId,
    message: { topic: 'payments', queueId: 0, messageId: `M-${transactionId}`, kind: 'TRANSACTION' as const, body: Buffer.from('x'), keys: [], properties: {}, bornAt: 0, bornHost: 'h' },
    producerClientId: 'p',
    createdAt: 1_700_000_000_000,
    checks: 0,
    nextCheckAt: 1_700_000_010_000,
    parked: false,
  });
  backend.halves = [half('T1'), half('T2')];
  const listed = await json('tx', 'list');
  assert.deepEqual(listed.doc.items.map((t: { transactionId: string }) => t.transactionId), ['T1', 'T2']);
  assert.equal(listed.doc.items[0].tag, null, 'an absent tag is null, as in every other --json document');
  const committed = await json('tx', 'commit', 'T1');
  assert.deepEqual([committed.code, committed.doc], [0, { transactionId: 'T1', resolution: 'COMMIT', changed: true }]);
  const unknown = await json('tx', 'rollback', 'T9');
  assert.deepEqual([unknown.code, unknown.doc.error.code], [1, 'INVALID_TRANSACTION_ID']);
  const { runTransactionCommand } = await import('../src/cli/tx-command.js');
  const out: string[] = [];
  assert.equal(await runTransactionCommand(['list', '--json', '--endpoint', server.endpoint], { out: (l) => out.push(l), err: () => undefined }), 0);
  assert.deepEqual(out.map((line) => (JSON.parse(line) as { transactionId: string }).transactionId), ['T2']);
});

test('what applications sent reaches the terminal with its control characters escaped', async () => {
  const evil = message({ messageId: 'EVIL', offset: 9, tag: 'x\u001b]0;owned\u0007', keys: ['k\nforged line'], properties: { p: '\u001b[2J' }, body: Buffer.from('{"a":\n1}') });
  backend.messages.push(evil);
  try {
    const shown = await admin('message', '--id', 'EVIL');
    assert.equal(shown.code, 0, shown.err);
    assert.doesNotMatch(shown.out, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/, 'no control character but the newlines between lines');
    assert.match(shown.out, /\n {2}tag {9}x\\x1b\]0;owned\\x07\n/);
    assert.match(shown.out, /\n {2}keys {8}k\\nforged line\n/);
    assert.match(shown.out, /\n {2}body {8}8 bytes: \{"a":\\n1\}$/);
    const listed = await admin('message', '--topic', 'orders', '--key', 'k\nforged line');
    assert.doesNotMatch(listed.out + listed.err, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  } finally {
    backend.messages.pop();
  }
});

test('bodies: UTF-8 text (a preview cut inside a character drops it), anything else base64', async () => {
  const { bodyText } = await import('../src/cli/admin/json-views.js');
  const base = { messageId: 'M', topic: 't', offset: 0, queueId: 0, kind: 'NORMAL' as const, keys: [], properties: {}, bornAt: new Date(0), bornHost: 'h', storedAt: new Date(0) };
  const cut = Buffer.from('hé').subarray(0, 2);
  assert.deepEqual(bodyText({ ...base, body: cut, bodySize: 3, bodyTruncated: true }), { encoding: 'utf8', text: 'h' });
  assert.deepEqual(bodyText({ ...base, body: cut, bodySize: 2, bodyTruncated: false }), { encoding: 'base64', text: cut.toString('base64') });
  assert.deepEqual(bodyText({ ...base, body: Buffer.from([0xff, 0x00]), bodySize: 2, bodyTruncated: false }), { encoding: 'base64', text: '/wA=' });
});

test('"admin" after broker options is a usage error that says where it goes', async () => {
  const { runServeCommand } = await import('../src/cli/serve-command.js');
  const err: string[] = [];
  assert.equal(await runServeCommand(['--memory', 'admin'], { out: () => undefined, err: (l) => err.push(l) }), 2);
  assert.match(err.join('\n'), /^txmq-broker: "admin" must come first, with its own options after it: txmq-broker admin topics --endpoint HOST:PORT\nusage:\n/);
  assert.match(err.join('\n'), /txmq-broker admin topics\|groups\|message\|trace\|dlq\|reset\|tx/);
});
