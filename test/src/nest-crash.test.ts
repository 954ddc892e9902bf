// A Nest application (fixtures/nest-crash-app.ts) runs as a process of its own against a broker
// process and Postgres, and is SIGKILLed while its @OnMessage handler is in flight. Started again,
// it gets the message again and applies it once: the killed attempt's writes were rolled back
// with its transaction, and nothing is applied twice.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { eventually, testDatabaseUrl } from '@txmq/test-support';
import pg from 'pg';
import { startBrokerProcess, type BrokerProcess } from './support/broker-process.js';
import { freshDatabase, type FreshDatabase } from './support/fresh-database.js';

const APP = fileURLToPath(new URL('./fixtures/nest-crash-app.js', import.meta.url));
const APP_SCHEMA = 'crash_app';
const TXMQ_SCHEMA = 'crash_txmq';
/**
 * How long the application may take to print an event. The redelivery after the kill is the
 * long one: the broker releases a push consumer's messages once its telemetry stream has been
 * gone for `reconnectGraceMs` (10 s by default), and the restarted app must connect first.
 */
const EVENT_BOUND_MS = 60_000;

let broker: BrokerProcess;
let database: FreshDatabase;
let client: pg.Client;
const children: ChildProcess[] = [];

before(async () => {
  broker = await startBrokerProcess({ memory: true, logLevel: 'warn' });
  database = await freshDatabase(await testDatabaseUrl(), 'nest_crash');
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query(`create schema ${APP_SCHEMA}`);
  await client.query(`create table ${APP_SCHEMA}.users (id text primary key)`);
  // No key: an effect applied twice would show as two rows.
  await client.query(`create table ${APP_SCHEMA}.effects (id text not null, attempt int not null, pid int not null)`);
});
after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await client?.end();
  await broker?.dispose();
  await database?.drop();
});

/** A running application process and the events it printed. */
interface AppProcess {
  readonly child: ChildProcess;
  readonly events: Record<string, unknown>[];
  output(): string;
  /** Resolves with the first event named `name` (already printed or to come). */
  next(name: string): Promise<Record<string, unknown>>;
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startApp(env: Record<string, string>): AppProcess {
  const child = spawn(process.execPath, [APP], {
    env: { ...process.env, DATABASE_URL: database.url, TXMQ_ENDPOINTS: broker.endpoint, TXMQ_SCHEMA, APP_SCHEMA, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const events: Record<string, unknown>[] = [];
  let output = '';
  const waiters: (() => void)[] = [];
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    output += `${line}\n`;
    try {
      events.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      return;
    }
    for (const wake of waiters.splice(0)) wake();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    events,
    output: () => output,
    next: (name) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${name}" event within ${EVENT_BOUND_MS} ms; output:\n${output}`)), EVENT_BOUND_MS);
        const check = () => {
          const found = events.find((e) => e.event === name);
          if (found !== undefined) {
            clearTimeout(timer);
            resolve(found);
          } else waiters.push(check);
        };
        void exit.then(() => {
          if (!events.some((e) => e.event === name)) {
            clearTimeout(timer);
            reject(new Error(`the application exited before "${name}"; output:\n${output}`));
          }
        });
        check();
      }),
    exited: () => exit,
  };
}

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await client.query(sql)).rows as Record<string, unknown>[];
}

/** Sessions of the application (the test's database, but for this client) inside a transaction, waiting for it. */
async function openTransactions(): Promise<number> {
  const [row] = await rows(`
    select count(*)::int as n from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid() and state = 'idle in transaction'`);
  return row!.n as number;
}

test('SIGKILL while a handler is in flight: after a restart the message is applied exactly once', async () => {
  const first = startApp({ REGISTER: 'ada', HANG: '1' });
  const inFlight = await first.next('in-flight');
  assert.equal(inFlight.attempt, 1);
  await first.next('registered');
  await eventually("the handler's open transaction", async () => (await openTransactions()) === 1);
  first.child.kill('SIGKILL');
  assert.equal((await first.exited()).signal, 'SIGKILL');
  // Its write was never committed: Postgres rolls the transaction back when the connection drops.
  await eventually("the end of the killed handler's transaction", async () => (await openTransactions()) === 0);

  const second = startApp({});
  const applied = await second.next('applied');
  assert.equal(applied.id, 'ada');
  assert.ok(Number(applied.attempt) >= 2, `redelivered (attempt ${String(applied.attempt)})`);
  await eventually('the inbox record', async () => (await rows(`select 1 from ${TXMQ_SCHEMA}.inbox where consumer_group = 'crash-effects'`)).length === 1);
  second.child.kill('SIGTERM');
  assert.deepEqual(await second.exited(), { code: 0, signal: null }, second.output());

  assert.deepEqual(await rows(`select id from ${APP_SCHEMA}.users`), [{ id: 'ada' }]);
  const effects = await rows(`select id, attempt, pid from ${APP_SCHEMA}.effects`);
  assert.deepEqual(effects, [{ id: 'ada', attempt: applied.attempt, pid: second.child.pid }], 'applied once, by the restarted application');
  assert.deepEqual(await rows(`select count(*)::int as n from ${TXMQ_SCHEMA}.outbox where status = 'pending'`), [{ n: 0 }], 'the outbox row was published');
  assert.equal(second.events.filter((e) => e.event === 'applied').length, 1, 'the handler ran once in the restarted application');
});
