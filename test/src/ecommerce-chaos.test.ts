// The e-commerce example under crashes, against real Postgres: the broker, the account service
// (which runs the outbox relay) and a consumer service are SIGKILLed and restarted at random
// moments while users register; afterwards every registration is complete exactly once. Both
// consumer services are killed while applying a message. Then half messages (`delivery:
// 'half-message'`): the account service is killed between a half message and its local commit,
// and between the commit and the broker hearing of it; the broker's check-back settles each from
// the account database. Random plans print their seed; TXMQ_CHAOS_SEED=N runs the same plan again.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { BrokerConfig } from '@txmq/broker';
import { eventually, testDatabaseUrl } from '@txmq/test-support';
import { chaosPlan, runLoad } from './support/ecommerce/chaos.js';
import { startPostgresSystem, type PostgresSystem } from './support/ecommerce/postgres-system.js';
import { register, type Registration } from './support/ecommerce/register.js';
import { readState, settled, type SystemState } from './support/ecommerce/system-state.js';
import { lockTable } from './support/ecommerce/table-lock.js';
import { seededRandom } from './support/seeded-random.js';

const FAST_RETRY = { retryBackoff: { initialMs: 100, maxMs: 500, multiplier: 2 } };

/**
 * Fast redelivery and fast check-backs, so recovery after a crash takes seconds. A message a
 * killed push consumer held is handed out again once the consumer has been gone for the broker's
 * reconnectGraceMs (its default, 10 s).
 */
const BROKER_CONFIG: BrokerConfig = {
  minInvisibleMs: 100,
  pushLongPollingMs: 1000,
  groups: { points: FAST_RETRY, coupons: FAST_RETRY },
  transaction: { checkImmunityMs: 1000, checkIntervalMs: 1000, maxChecks: 100 },
};

/** The account service's record of its half messages' local commits. */
const TRANSACTION_LOG = 'account_txmq.transaction_log';

/**
 * Each test's own bound, below the runner's (240 s, scripts/run-tests.mjs), so that a test that
 * fails says why itself rather than being cut off by the runner.
 */
const TEST_TIMEOUT_MS = 230_000;
/** The part of a test's time kept for stopping the system after a failure, so the failure is reported in time. */
const DISPOSE_MARGIN_MS = 40_000;
/** How long the system may take to deliver what is left after the last crash (less when the test's time runs out first). */
const SETTLE_BOUND_MS = 90_000;
/** How long a step of the half-message cases may take (a restart, a check-back). */
const STEP_BOUND_MS = 60_000;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
/** When a test that starts now must have checked everything, leaving time to stop the system. */
const testDeadline = () => Date.now() + TEST_TIMEOUT_MS - DISPOSE_MARGIN_MS;

test('outbox: 200 registrations while the broker, the account service and a consumer service are killed and restarted: every registration complete, exactly once', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const random = seededRandom();
  const consumer = random.next() < 0.5 ? 'points' : 'coupons';
  await chaosRun(t, { random, delivery: 'outbox', registrations: 200, kills: { broker: 2, account: 2, [consumer]: 2 } });
});

test('outbox: both consumer services killed while applying a message: the grants roll back with them, the messages are delivered again and applied once', { timeout: TEST_TIMEOUT_MS }, async () => {
  const deadline = testDeadline();
  const system = await startPostgresSystem({ serverUrl: await testDatabaseUrl(), brokerConfig: BROKER_CONFIG, delivery: 'outbox' });
  try {
    await registerAndSettle(system, 'before@consumers.example', deadline);
    const locks = [await lockTable(system.db, 'points.point_grants'), await lockTable(system.db, 'coupons.coupons')];
    try {
      const result = await register(system.accountUrl, 'crashed@consumers.example', 'Crashed', STEP_BOUND_MS);
      assert.equal(result.outcome, 'created', JSON.stringify(result));
      // Each handler has the message and waits to insert its grant, in its inbox transaction.
      await eventually('both handlers to wait for their grants table', async () => (await Promise.all(locks.map((lock) => lock.waiting()))).every((n) => n > 0), { timeoutMs: STEP_BOUND_MS });
      await Promise.all([system.services.points.kill(), system.services.coupons.kill()]);
    } finally {
      for (const lock of locks) await lock.release();
    }
    await Promise.all([system.services.points.start(), system.services.coupons.start()]);
    // The broker hands the messages out again once it notices the killed consumers are gone.
    await settle(system, deadline);
    const state = await readState(system.db);
    assert.equal(state.users.size, 2);
    assertExactlyOnce(state, system);
  } finally {
    await system.dispose();
  }
});

test('half messages: the account service killed between a half message and its local commit: the check-back rolls it back, nothing is granted', { timeout: TEST_TIMEOUT_MS }, async () => {
  const deadline = testDeadline();
  const system = await startPostgresSystem({ serverUrl: await testDatabaseUrl(), brokerConfig: BROKER_CONFIG, delivery: 'half-message' });
  try {
    await registerAndSettle(system, 'before@half.example', deadline);
    const lock = await lockTable(system.db, TRANSACTION_LOG);
    let answered = false;
    const hanging = register(system.accountUrl, 'crashed@half.example', 'Crashed', STEP_BOUND_MS).finally(() => (answered = true));
    try {
      // The half message is with the broker; the registration waits to record its commit.
      await eventually('the registration to wait for the transaction log', async () => (await lock.waiting()) > 0, { timeoutMs: STEP_BOUND_MS });
      assert.equal(answered, false, 'POST /users hangs while its transaction cannot record the commit');
      await system.services.account.kill();
    } finally {
      await lock.release();
    }
    assert.equal((await hanging).outcome, 'failed', 'the POST got no answer');
    await system.services.account.start();
    await eventually('the check-back to fence the transaction as rolled back', async () => (await logStates(system)).rolled_back === 1, { timeoutMs: STEP_BOUND_MS });
    await registerAndSettle(system, 'after@half.example', deadline);

    const state = await readState(system.db);
    assert.deepEqual([...state.users.keys()].sort(), ['after@half.example', 'before@half.example'], 'the crashed registration is not there');
    assertExactlyOnce(state, system);
    assert.deepEqual(await logStates(system), { committed: 2, rolled_back: 1 });
  } finally {
    await system.dispose();
  }
});

test('half messages: the local transaction commits, the account service dies before the broker hears of it: the check-back commits it, the rewards arrive once', { timeout: TEST_TIMEOUT_MS }, async () => {
  const deadline = testDeadline();
  const system = await startPostgresSystem({ serverUrl: await testDatabaseUrl(), brokerConfig: BROKER_CONFIG, delivery: 'half-message' });
  try {
    await registerAndSettle(system, 'before@half.example', deadline);
    const lock = await lockTable(system.db, TRANSACTION_LOG);
    const hanging = register(system.accountUrl, 'committed@half.example', 'Committed', STEP_BOUND_MS);
    try {
      await eventually('the registration to wait for the transaction log', async () => (await lock.waiting()) > 0, { timeoutMs: STEP_BOUND_MS });
      // Frozen from before the local commit until it is killed, the broker never gets the
      // commit (EndTransaction): only a check-back can settle the half message.
      system.broker.pause(true);
    } finally {
      await lock.release();
    }
    const id = await eventually('the registration to commit', () => userId(system, 'committed@half.example'), { timeoutMs: STEP_BOUND_MS });
    await system.services.account.kill();
    await system.broker.kill();
    await hanging;
    await system.broker.start();
    await system.services.account.start();
    await eventually('the committed registration to get its rewards', async () => {
      const state = await readState(system.db);
      return state.points.has(id) && state.coupons.has(id);
    }, { timeoutMs: STEP_BOUND_MS });
    await registerAndSettle(system, 'after@half.example', deadline);

    const state = await readState(system.db);
    assert.deepEqual([...state.users.keys()].sort(), ['after@half.example', 'before@half.example', 'committed@half.example']);
    assertExactlyOnce(state, system);
    assert.deepEqual(await logStates(system), { committed: 3, rolled_back: 0 });
  } finally {
    await system.dispose();
  }
});

test('half messages: 80 registrations while the account service and the broker are killed and restarted: every registration complete, exactly once', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  await chaosRun(t, { random: seededRandom(), delivery: 'half-message', registrations: 80, kills: { account: 2, broker: 1 } });
});

interface ChaosRun {
  readonly random: ReturnType<typeof seededRandom>;
  readonly delivery: 'outbox' | 'half-message';
  readonly registrations: number;
  /** Crashes of each process (`broker`, `account`, `points`, `coupons`). */
  readonly kills: Readonly<Record<string, number>>;
}

async function chaosRun(t: TestContext, run: ChaosRun): Promise<void> {
  const deadline = testDeadline();
  const plan = chaosPlan(run.random, run.kills, run.registrations, 800);
  const log = (line: string) => t.diagnostic(line);
  log(`seed ${run.random.seed} (TXMQ_CHAOS_SEED=${run.random.seed} repeats this run); plan: ${plan.map((k) => `${k.target}@${k.at}+${k.downMs}ms`).join(', ')}`);
  const system = await startPostgresSystem({ serverUrl: await testDatabaseUrl(), brokerConfig: BROKER_CONFIG, delivery: run.delivery });
  try {
    const loadStart = Date.now();
    const results = await runLoad({
      accountUrl: system.accountUrl,
      processes: new Map([['broker', system.broker], ...Object.entries(system.services)]),
      registrations: run.registrations,
      concurrency: 4,
      paceMs: 60,
      plan,
      email: (i) => `user${i}@chaos.example`,
      log,
    });
    const settleStart = Date.now();
    const state = await settle(system, deadline);
    log(`load and crashes ${seconds(settleStart - loadStart)}, settled ${seconds(Date.now() - settleStart)} later`);
    log(summary(results, state));
    assertComplete(results, state);
    assertExactlyOnce(state, system);
  } finally {
    await system.dispose();
  }
}

/** Waits until every user has their rewards: at most SETTLE_BOUND_MS, and not past `deadline`. */
async function settle(system: PostgresSystem, deadline: number): Promise<SystemState> {
  try {
    return await eventually('every user to have welcome points and a coupon', async () => {
      const state = await readState(system.db);
      return settled(state) ? state : undefined;
    }, { timeoutMs: Math.max(0, Math.min(SETTLE_BOUND_MS, deadline - Date.now())), intervalMs: 250 });
  } catch (error) {
    const state = await readState(system.db);
    const missing = [...state.users].filter(([, id]) => !state.points.has(id) || !state.coupons.has(id));
    const listed = missing.slice(0, 20).map(([email, id]) => `${email} (${[!state.points.has(id) && 'points', !state.coupons.has(id) && 'coupon'].filter(Boolean).join(', ')})`);
    const applied = `inboxes applied ${state.applied.points} (points), ${state.applied.coupons} (coupons)`;
    throw new Error(
      `${(error as Error).message}: ${missing.length} of ${state.users.size} users lack a reward: ${listed.join('; ')}${missing.length > 20 ? '; ...' : ''}; ${applied}\n${system.tails()}`,
      { cause: error },
    );
  }
}

/** Registers `email` (it must be answered 201) and waits for its rewards. */
async function registerAndSettle(system: PostgresSystem, email: string, deadline: number): Promise<void> {
  const result = await register(system.accountUrl, email, 'Someone', STEP_BOUND_MS);
  assert.equal(result.outcome, 'created', `${email}: ${JSON.stringify(result)}`);
  await settle(system, deadline);
}

async function userId(system: PostgresSystem, email: string): Promise<string | undefined> {
  const { rows } = await system.db.query<{ id: string }>('select id from account.users where email = $1', [email]);
  return rows[0]?.id;
}

/** How many transactions the account service's transaction log holds in each state. */
async function logStates(system: PostgresSystem): Promise<{ committed: number; rolled_back: number }> {
  const { rows } = await system.db.query<{ state: 'committed' | 'rolled_back'; count: string }>(
    'select state, count(*) as count from account_txmq.transaction_log group by state',
  );
  const states = { committed: 0, rolled_back: 0 };
  for (const row of rows) states[row.state] = Number(row.count);
  return states;
}

function summary(results: readonly Registration[], state: SystemState): string {
  const created = results.filter((r) => r.outcome === 'created').length;
  const failed = results.filter((r) => r.outcome === 'failed');
  const kept = failed.filter((r) => state.users.has(r.email)).length;
  const reasons = new Map<string, number>();
  for (const r of failed) if (r.outcome === 'failed') reasons.set(r.error.slice(0, 60), (reasons.get(r.error.slice(0, 60)) ?? 0) + 1);
  const why = [...reasons].map(([reason, count]) => `${count}× ${reason}`).join('; ');
  return `${created} answered 201, ${failed.length} failed (${kept} of them registered nonetheless${why && `; ${why}`}); ${state.users.size} users`;
}

/** Every registration answered 201 is there with its id, no other was refused, and every user is one the test registered. */
function assertComplete(results: readonly Registration[], state: SystemState): void {
  for (const result of results) {
    if (result.outcome === 'created') assert.equal(state.users.get(result.email), result.id, `${result.email} was answered 201, so it is registered, with that id`);
    if (result.outcome === 'refused') assert.fail(`${result.email} was refused with ${result.status}: ${result.body}`);
  }
  const attempted = new Set(results.map((r) => r.email));
  for (const email of state.users.keys()) assert.ok(attempted.has(email), `${email} is a registration the test made`);
}

/** Every user has one grant of 100 points and one coupon, rewards go only to users, and no message was applied twice. */
function assertExactlyOnce(state: SystemState, system: PostgresSystem): void {
  for (const [email, id] of state.users) {
    assert.deepEqual(state.points.get(id), [100], `${email} has exactly one welcome grant of 100 points`);
    assert.equal(state.coupons.get(id), 1, `${email} has exactly one welcome coupon`);
  }
  const ids = new Set(state.users.values());
  for (const id of [...state.points.keys(), ...state.coupons.keys()]) assert.ok(ids.has(id), `reward for ${id}, a registered user`);
  assert.deepEqual(state.applied, { points: state.users.size, coupons: state.users.size }, 'each consumer applied one message per registration');
  const doubled = [...system.services.points.lines, ...system.services.coupons.lines].filter((line) => /already has/.test(line));
  assert.deepEqual(doubled, [], 'no registration reached a consumer twice past its inbox');
}
