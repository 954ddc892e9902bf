// The account service of the e-commerce example, run as its own process (as `npm start` and the
// README run it) against a broker process: its HTTP answers, the `user-registered` message each
// registration puts on the broker, its hold on its PGlite folder, and the gifts service started
// later, alone, catching up on every registration made before it.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createSimpleConsumer, type ReceivedMessage } from '@txmq/broker/client';
import { decodeBody } from '@txmq/outbox';
import { eventually } from '@txmq/test-support';
import { startBrokerProcess, type BrokerProcess } from './support/broker-process.js';
import { EXAMPLE_MAIN } from './support/ecommerce/example-paths.js';
import { ExampleProcess } from './support/ecommerce/example-process.js';
import { userEnv } from './support/ecommerce/user-env.js';

/** Where nothing answers: the points and coupons services are not running in this test. */
const NOWHERE = 'http://127.0.0.1:1';

let broker: BrokerProcess | undefined;
let dataDir: string | undefined;
let env: NodeJS.ProcessEnv;
let account: ExampleProcess | undefined;
let accountUrl: string;

/** `node main.js SERVICE --port PORT --data-dir DIR`, as the README runs a service alone. */
function service(name: string, serviceName = name): ExampleProcess {
  return new ExampleProcess({
    name,
    args: (port) => [EXAMPLE_MAIN, serviceName, '--port', String(port), '--data-dir', dataDir!],
    env,
    ready: new RegExp(`^${serviceName} ready at (http://\\S+)$`),
  });
}

before(async () => {
  broker = await startBrokerProcess({ memory: true, logLevel: 'warn' });
  dataDir = await mkdtemp(join(tmpdir(), 'txmq-account-'));
  env = { ...userEnv(), TXMQ_ENDPOINTS: broker.endpoint, POINTS_URL: NOWHERE, COUPONS_URL: NOWHERE };
  account = service('account');
  await account.start();
  accountUrl = account.address;
});

after(async () => {
  await account?.kill();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  await broker?.dispose();
});

async function post(body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return postRaw(JSON.stringify(body));
}

async function postRaw(text: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${accountUrl}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
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
  const malformed = await postRaw('{"email": "x@example.com",');
  assert.equal(malformed.status, 400);
  assert.equal(malformed.body.field, 'body', JSON.stringify(malformed.body));
  assert.match(String(malformed.body.message), /^the body must be JSON: /);
  const limit = await get('/users?limit=abc');
  assert.equal(limit.status, 400);
  assert.equal(limit.body.field, 'limit', JSON.stringify(limit.body));
  assert.match(String(limit.body.message), /limit must be a whole number/);
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
  const consumer = createSimpleConsumer({ endpoints: broker!.endpoint, group: 'account-test', subscriptions: { 'user-registered': '*' }, awaitMs: 2000 });
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

test('a second account service on the same data folder exits 1, naming the folder and the pid holding it; the first keeps working', async () => {
  const second = service('account-again', 'account');
  await assert.rejects(second.start(), /exited \(code 1\) before it was ready/);
  const folder = join(dataDir!, 'account');
  assert.ok(second.output().includes(`account: could not start: its data folder ${folder} is in use by process ${account!.pid} `), second.output());
  const answer = await post({ email: 'still.here@example.com', name: 'Still Here' });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  assert.equal((await get(`/users/${String(answer.body.id)}`)).status, 200);
});

test('gifts started later, alone: its new consumer group starts at the oldest message, so every earlier registration gets one gift, and the account service was not touched', async () => {
  const { users } = (await get('/stats')).body as { users: number };
  assert.ok(users >= 4, `the earlier tests registered users (${users})`);
  const grace = (await get('/users?limit=500')).body.users.find((u: { email: string }) => u.email === 'grace@example.com');
  const accountPid = account!.pid;
  const gifts = service('gifts');
  try {
    await gifts.start();
    const stats = await eventually(`a gift for each of the ${users} registrations`, async () => {
      const answer = (await (await fetch(`${gifts.address}/stats`)).json()) as { registrations: number };
      return answer.registrations >= users ? answer : undefined;
    }, { timeoutMs: 30_000, intervalMs: 100 });
    assert.deepEqual(stats, { registrations: users, grants: users, duplicates: 0 });
    const gift = (await (await fetch(`${gifts.address}/gifts/${String(grace.id)}`)).json()) as { gift: string; registeredAt: string };
    assert.deepEqual({ gift: gift.gift, registeredAt: gift.registeredAt }, { gift: 'tote bag', registeredAt: grace.registeredAt });
    assert.equal(account!.pid, accountPid, 'the account service kept running, unchanged');
  } finally {
    const exit = await gifts.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, gifts.output());
  }
});

test('SIGTERM stops the service cleanly: it says so, exits 0 and lets go of its folder', async () => {
  const exit = await account!.stop();
  assert.deepEqual(exit, { code: 0, signal: null }, account!.output());
  assert.match(account!.output(), /account stopping \(SIGTERM\)/);
  assert.equal(existsSync(join(dataDir!, 'account', 'txmq-service.pid')), false, 'the lock file is gone');
});
