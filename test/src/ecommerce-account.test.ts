// The account service of the e-commerce example, run as its own process (as `npm start` and the
// README run it) against a broker process: its HTTP answers, and the `user-registered` message
// each registration puts on the broker.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createSimpleConsumer, type ReceivedMessage } from '@txmq/broker/client';
import { decodeBody } from '@txmq/outbox';
import { startBrokerProcess, type BrokerProcess } from './support/broker-process.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** Where nothing answers: the points and coupons services are not running in this test. */
const NOWHERE = 'http://127.0.0.1:1';

let broker: BrokerProcess;
let dataDir: string;
let account: ChildProcess;
let accountUrl: string;
let output = '';

before(async () => {
  broker = await startBrokerProcess({ memory: true, logLevel: 'warn' });
  dataDir = await mkdtemp(join(tmpdir(), 'txmq-account-'));
  const env: NodeJS.ProcessEnv = { ...process.env, TXMQ_ENDPOINTS: broker.endpoint, POINTS_URL: NOWHERE, COUPONS_URL: NOWHERE };
  delete env.DATABASE_URL;
  account = spawn(process.execPath, ['examples/ecommerce/dist/main.js', 'account', '--port', '0', '--data-dir', dataDir], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  accountUrl = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /^account ready at (http:\/\/\S+)$/m.exec(output);
      if (ready) resolve(ready[1]!);
    };
    account.stdout!.on('data', onData);
    account.stderr!.on('data', onData);
    account.once('exit', (code) => reject(new Error(`the account service exited with ${code}:\n${output}`)));
  });
});

after(async () => {
  if (account.exitCode === null && account.signalCode === null) {
    account.kill('SIGKILL');
    await new Promise((resolve) => account.once('exit', resolve));
  }
  await rm(dataDir, { recursive: true, force: true });
  await broker.dispose();
});

async function post(body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${accountUrl}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function get(path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${accountUrl}${path}`);
  return { status: response.status, body: await response.json() };
}

test('a registration answers 201 with the user (email normalized), and the same address again is refused with 409 naming it', async () => {
  const created = await post({ email: ' Grace@Example.com ', name: ' Grace Hopper ' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.email, 'grace@example.com');
  assert.equal(created.body.name, 'Grace Hopper');
  assert.match(String(created.body.id), /^[0-9a-f-]{36}$/);

  const again = await post({ email: 'GRACE@example.com', name: 'Someone Else' });
  assert.equal(again.status, 409);
  assert.equal(again.body.field, 'email');
  assert.equal(again.body.message, 'grace@example.com is already registered');

  assert.deepEqual((await get(`/users/${String(created.body.id)}`)).body, created.body);
});

test('bad input is refused with 400 naming the field', async () => {
  const cases: [unknown, string][] = [
    [{ email: 'not-an-address', name: 'X' }, 'email'],
    [{ name: 'X' }, 'email'],
    [{ email: 'x@example.com' }, 'name'],
    [{ email: 'x@example.com', name: '   ' }, 'name'],
    [{ email: 'x@example.com', name: 'y'.repeat(101) }, 'name'],
    [['x@example.com'], 'body'],
  ];
  for (const [body, field] of cases) {
    const answer = await post(body);
    assert.equal(answer.status, 400, JSON.stringify(body));
    assert.equal(answer.body.field, field, JSON.stringify(answer.body));
    assert.match(String(answer.body.message), new RegExp(field));
  }
});

test('an unknown user is 404; rewards and the user list say when the points and coupons services do not answer', async () => {
  assert.equal((await get('/users/no-such-user')).status, 404);
  assert.equal((await get('/users/no-such-user/rewards')).status, 404);
  const { body: user } = await post({ email: 'barbara@example.com', name: 'Barbara Liskov' });
  assert.deepEqual((await get(`/users/${String(user.id)}/rewards`)).body, { userId: user.id, points: null, coupons: null });
  const list = (await get('/users?limit=500')).body;
  assert.deepEqual(list.services, { points: 'down', coupons: 'down' });
  const listed = list.users.find((u: { id: string }) => u.id === user.id);
  assert.deepEqual({ points: listed.points, coupon: listed.coupon }, { points: null, coupon: null });
});

test('the page at / is the registration form and the users table', async () => {
  const response = await fetch(`${accountUrl}/`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
  const html = await response.text();
  assert.match(html, /<form id="register"/);
  assert.match(html, /<table id="users">/);
});

test('a registration puts a user-registered message on the broker, keyed by the user and carrying the registration', async () => {
  const { body: user } = await post({ email: 'alan@example.com', name: 'Alan Turing' });
  const consumer = createSimpleConsumer({ endpoints: broker.endpoint, group: 'account-test', subscriptions: { 'user-registered': '*' }, awaitMs: 2000 });
  try {
    let found: ReceivedMessage | undefined;
    for (let round = 0; found === undefined && round < 30; round++) {
      for (const message of await consumer.receive(16)) {
        await consumer.ack(message);
        if (message.keys.includes(String(user.id))) found = message;
      }
    }
    assert.ok(found, 'the message arrived');
    assert.deepEqual(decodeBody(found), { userId: user.id, email: 'alan@example.com', name: 'Alan Turing', registeredAt: user.registeredAt });
  } finally {
    await consumer.close();
  }
});

test('SIGTERM stops the service cleanly: it says so and exits 0', async () => {
  const exit = new Promise<number | null>((resolve) => account.once('exit', (code) => resolve(code)));
  account.kill('SIGTERM');
  assert.equal(await exit, 0, output);
  assert.match(output, /account stopping \(SIGTERM\)/);
});
