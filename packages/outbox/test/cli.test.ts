import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { eventually } from '@txmq/test-support';
import { sql } from 'kysely';
import { createOutbox, createRelay, PublishError, type Outbox } from '../src/index.js';
import { runOutboxCli } from '../src/cli/main.js';
import { DATABASE_URL, RecordingPublisher, testDb, type TestDb } from './helpers.js';

const BIN = fileURLToPath(new URL('../../bin/txmq-outbox.js', import.meta.url));
const dbs: TestDb[] = [];
after(() => Promise.all(dbs.map((d) => d.close())));

/** Runs the CLI in this process with captured stdout/stderr. */
async function run(args: string[], env: Record<string, string | undefined> = { DATABASE_URL }) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runOutboxCli(args, { out: (t) => out.push(t), err: (t) => err.push(t), env });
  const stdout = out.join('\n');
  return { code, stdout, stderr: err.join('\n'), json: () => JSON.parse(stdout) };
}

/**
 * A fresh outbox with two rows parked by a relay (the broker refused them, as a publisher reports
 * it) and three pending rows, the oldest created two minutes ago.
 */
async function fixture(): Promise<{ outbox: Outbox; schema: string; parkedIds: string[]; pendingIds: string[]; t: TestDb }> {
  const t = testDb('cli');
  dbs.push(t);
  const outbox = createOutbox({ db: t.db, schema: t.schema, notify: false });
  await outbox.migrate();
  const publisher = new RecordingPublisher();
  publisher.failWith = (m) =>
    m.topic === 'poison' ? new PublishError('the broker refused the tag', { retryable: false, transportCode: 'ILLEGAL_MESSAGE_TAG', status: 40004 }) : undefined;
  const relay = createRelay({ outbox, publisher, pollIntervalMs: 20 });
  await relay.start();
  await t.db.transaction().execute((trx) =>
    outbox.sendMany(trx, [
      { topic: 'poison', body: { n: 1 } },
      { topic: 'fine', body: { n: 2 } },
      { topic: 'poison', body: { n: 3 }, messageGroup: 'g1' },
    ]),
  );
  await eventually('two parked rows and one published', async () => (await outbox.stats()).parked === 2 && publisher.published.length === 1);
  await relay.stop();
  await t.db.transaction().execute((trx) =>
    outbox.sendMany(trx, [{ topic: 'later', body: 'a' }, { topic: 'later', body: 'b' }, { topic: 'later', body: 'c', messageGroup: 'g2' }]),
  );
  const table = sql.table(`${t.schema}.outbox`);
  const { rows } = await sql<{ id: string; status: string }>`select id, status from ${table} order by id`.execute(t.db);
  const pendingIds = rows.filter((r) => r.status === 'pending').map((r) => String(r.id));
  await sql`update ${table} set created_at = now() - interval '2 minutes' where id = ${pendingIds[0]}`.execute(t.db);
  return { outbox, schema: t.schema, parkedIds: rows.filter((r) => r.status === 'parked').map((r) => String(r.id)), pendingIds, t };
}

test('stats: pending, parked and the oldest pending age, as a table and as one JSON document', async () => {
  const { schema } = await fixture();
  const json = await run(['stats', '--schema', schema, '--json']);
  assert.equal(json.code, 0, json.stderr);
  const stats = json.json();
  assert.equal(stats.schema, schema);
  assert.equal(stats.pending, 3);
  assert.equal(stats.due, 3);
  assert.equal(stats.inFlight, 0);
  assert.equal(stats.parked, 2);
  assert.equal(stats.sent, 0);
  assert.ok(stats.oldestPendingAgeSeconds >= 120 && stats.oldestPendingAgeSeconds < 180, `oldest ${stats.oldestPendingAgeSeconds}`);
  assert.equal(stats.oldestPendingAgeMs, Math.round(stats.oldestPendingAgeSeconds * 1000));

  const table = await run(['stats', '--schema', schema]);
  assert.equal(table.code, 0, table.stderr);
  const [header, line] = table.stdout.split('\n');
  assert.match(header!, /^SCHEMA\s+PENDING\s+DUE\s+IN FLIGHT\s+PARKED\s+SENT \(KEPT\)\s+OLDEST PENDING$/);
  assert.match(line!, new RegExp(`^${schema}\\s+3\\s+3\\s+0\\s+2\\s+0\\s+2m \\d+s$`));
  assert.match(table.stdout, /2 parked row\(s\): see txmq-outbox parked/);
});

test('parked: each parked row with the error that parked it; --limit shows the first N of the total', async () => {
  const { schema, parkedIds } = await fixture();
  const json = await run(['parked', '--schema', schema, '--json']);
  assert.equal(json.code, 0, json.stderr);
  const doc = json.json();
  assert.equal(doc.total, 2);
  assert.deepEqual(
    doc.parked.map((p: any) => [p.id, p.topic, p.messageGroup, p.attempts, p.lastErrorCode, p.lastErrorStatus]),
    [
      [parkedIds[0], 'poison', null, 1, 'ILLEGAL_MESSAGE_TAG', 40004],
      [parkedIds[1], 'poison', 'g1', 1, 'ILLEGAL_MESSAGE_TAG', 40004],
    ],
  );
  assert.equal(doc.parked[0].lastError, 'attempt 1: the broker refused the tag');
  assert.ok(!Number.isNaN(Date.parse(doc.parked[0].createdAt)));

  const limited = (await run(['parked', '--schema', schema, '--json', '--limit', '1'])).json();
  assert.equal(limited.total, 2);
  assert.deepEqual(limited.parked.map((p: any) => p.id), [parkedIds[0]]);

  const table = await run(['parked', '--schema', schema, '--limit', '1']);
  assert.equal(table.code, 0, table.stderr);
  const lines = table.stdout.split('\n');
  assert.match(lines[0]!, /^ID\s+MESSAGE ID\s+TOPIC\s+GROUP\s+ATTEMPTS\s+CREATED\s+CODE\s+STATUS\s+LAST ERROR$/);
  assert.match(lines[1]!, new RegExp(`^${parkedIds[0]}\\s+[0-9a-f-]{36}\\s+poison\\s+-\\s+1\\s+\\S+Z\\s+ILLEGAL_MESSAGE_TAG\\s+40004\\s+attempt 1: the broker refused the tag$`));
  assert.match(table.stdout, /1 of 2 parked row\(s\), oldest first/);

  const none = await fixture();
  await none.outbox.redrive();
  const empty = await run(['parked', '--schema', none.schema]);
  assert.deepEqual([empty.code, empty.stdout], [0, `no parked rows in schema ${none.schema}`]);
});

test('redrive: named rows or --all go back in line with a fresh budget; a named row that is not parked exits 1', async () => {
  const { schema, parkedIds, pendingIds, t, outbox } = await fixture();
  const statusOf = async () => {
    const { rows } = await sql<{ id: string; status: string; attempts: number }>`
      select id, status, attempts from ${sql.table(`${schema}.outbox`)} order by id`.execute(t.db);
    return new Map(rows.map((r) => [String(r.id), `${r.status}/${r.attempts}`]));
  };
  const one = await run(['redrive', parkedIds[0]!, '--schema', schema, '--json']);
  assert.equal(one.code, 0, one.stderr);
  assert.deepEqual(one.json(), { schema, redriven: [parkedIds[0]], notParked: [] });
  assert.equal((await statusOf()).get(parkedIds[0]!), 'pending/0');
  assert.equal((await statusOf()).get(parkedIds[1]!), 'parked/1');

  // The same row again (now pending), a row that does not exist, and the still parked one.
  const mixed = await run(['redrive', parkedIds[0]!, '999999', parkedIds[1]!, '--schema', schema, '--json']);
  assert.equal(mixed.code, 1);
  assert.deepEqual(mixed.json(), {
    schema,
    redriven: [parkedIds[1]],
    notParked: [
      { id: parkedIds[0], status: 'pending' },
      { id: '999999', status: null },
    ],
  });
  assert.match(mixed.stderr, new RegExp(`not parked, so not redriven: ${parkedIds[0]} \\(pending\\), 999999 \\(no such row\\)`));
  assert.equal((await statusOf()).get(parkedIds[1]!), 'pending/0');

  const table = await run(['redrive', pendingIds[0]!, '--schema', schema]);
  assert.equal(table.code, 1);
  assert.equal(table.stdout, `no parked rows redriven in schema ${schema}`);

  // Park both again, then --all.
  await sql`update ${sql.table(`${schema}.outbox`)} set status = 'parked', attempts = 3 where id = any(${parkedIds}::bigint[])`.execute(t.db);
  const all = await run(['redrive', '--all', '--schema', schema]);
  assert.equal(all.code, 0, all.stderr);
  assert.equal(all.stdout, `redriven 2 row(s) in schema ${schema}: ${parkedIds.join(' ')}`);
  assert.equal((await outbox.stats()).parked, 0);
  const nothing = await run(['redrive', '--all', '--schema', schema, '--json']);
  assert.deepEqual([nothing.code, nothing.json()], [0, { schema, redriven: [], notParked: [] }]);
});

test('usage errors exit 2 with the reason and the usage text, and print nothing on stdout', async () => {
  const cases: Array<[string[], RegExp, Record<string, string | undefined>?]> = [
    [[], /^usage:/],
    [['status'], /unknown command "status"/],
    [['--json', 'stats'], /the command comes first/],
    [['stats', '--verbose'], /Unknown option '--verbose'/],
    [['stats', 'extra'], /stats takes no arguments/],
    [['stats', '--schema', 'Bad-Name'], /--schema: expected a lower-case identifier/],
    [['stats', '--timeout-ms', '0'], /--timeout-ms must be a positive integer/],
    [['parked', '--limit', '0'], /--limit must be a positive integer, got "0"/],
    [['parked', '--limit', 'ten'], /--limit must be a positive integer/],
    [['redrive'], /redrive needs the ids of parked rows/],
    [['redrive', '1', '--all'], /row ids or --all, not both/],
    [['redrive', '1', 'x2', '-3'], /Unknown option '-3'|row ids are positive integers/],
    [['redrive', '0'], /row ids are positive integers .*got 0/],
    [['stats'], /no database: set DATABASE_URL or pass --database-url/, {}],
    [['stats', '--database-url', 'not a url'], /--database-url is not a URL/],
    [['stats'], /DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/, { DATABASE_URL: 'mysql://root:pw@db/x' }],
  ];
  for (const [args, why, env] of cases) {
    const result = await run(args, env ?? { DATABASE_URL });
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, why, args.join(' '));
    assert.match(result.stderr, /usage:\n {2}txmq-outbox stats/, args.join(' '));
    assert.equal(result.stdout, '', args.join(' '));
  }
  for (const help of [['--help'], ['stats', '--help'], ['redrive', '-h']]) {
    const result = await run(help, {});
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^usage:/);
  }
});

test('a database that cannot be reached, or a schema without an outbox, exits 1 naming it, never the password', async () => {
  const secret = 's3cr%23t-pw';
  const unreachable = `postgres://app:${secret}@127.0.0.1:1/orders`;
  const result = await run(['stats', '--json', '--database-url', unreachable]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /cannot connect to the database at postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/orders \(from --database-url\): .*ECONNREFUSED/);
  assert.deepEqual(Object.keys(result.json().error), ['code', 'message']);
  assert.equal(result.json().error.code, 'CANNOT_CONNECT');
  for (const text of [result.stdout, result.stderr]) {
    assert.ok(!text.includes('s3cr') && !text.includes(decodeURIComponent(secret)), text);
  }

  // A wrong password: Postgres names the user, the CLI hides the password.
  const url = new URL(DATABASE_URL);
  url.password = 'hunter2-wrong';
  const auth = await run(['parked'], { DATABASE_URL: url.href });
  assert.ok(!auth.stderr.includes('hunter2'), auth.stderr);
  if (auth.code !== 0) assert.equal(auth.code, 1); // a trust-auth Postgres lets any password in

  const missing = await run(['parked', '--schema', 'no_such_schema_here']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no outbox in schema "no_such_schema_here" .*no_such_schema_here\.outbox does not exist/);
  assert.equal(missing.stdout, '');
});

/** Runs the `txmq-outbox` bin as a process. */
function spawnBin(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('the txmq-outbox bin: DATABASE_URL from the environment, one JSON document, and exit codes', async () => {
  const { schema, parkedIds } = await fixture();
  const env = { ...process.env, DATABASE_URL };
  const stats = await spawnBin(['stats', '--schema', schema, '--json'], env);
  assert.equal(stats.code, 0, stats.stderr);
  assert.deepEqual([JSON.parse(stats.stdout).pending, JSON.parse(stats.stdout).parked], [3, 2]);
  const redrive = await spawnBin(['redrive', '--all', '--schema', schema, '--json'], env);
  assert.equal(redrive.code, 0, redrive.stderr);
  assert.deepEqual(JSON.parse(redrive.stdout).redriven, parkedIds);
  const usage = await spawnBin(['redrive', '--schema', schema], env);
  assert.equal(usage.code, 2);
  assert.equal(usage.stdout, '');
  const down = await spawnBin(['parked'], { ...env, DATABASE_URL: 'postgres://app:topsecret@127.0.0.1:1/x' });
  assert.equal(down.code, 1);
  assert.match(down.stderr, /^txmq-outbox parked: cannot connect to the database at postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/x \(from DATABASE_URL\)/);
  assert.ok(!down.stderr.includes('topsecret'));
});
