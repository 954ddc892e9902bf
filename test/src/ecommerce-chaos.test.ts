// The e-commerce example under crashes, against real Postgres: the broker, the account service
// (which runs the outbox relay) and a consumer service are SIGKILLed and restarted at random
// moments while users register; afterwards every registration is complete exactly once.
// The seed is printed; TXMQ_CHAOS_SEED=N runs the same plan again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BrokerConfig } from '@txmq/broker';
import { eventually, testDatabaseUrl } from '@txmq/test-support';
import { chaosPlan, runLoad } from './support/ecommerce/chaos.js';
import { startPostgresSystem, type PostgresSystem } from './support/ecommerce/postgres-system.js';
import type { Registration } from './support/ecommerce/register.js';
import { readState, settled, type SystemState } from './support/ecommerce/system-state.js';
import { seededRandom } from './support/seeded-random.js';

const FAST_RETRY = { retryBackoff: { initialMs: 100, maxMs: 500, multiplier: 2 } };

/** Fast redelivery and fast check-backs, so recovery after a crash takes seconds. */
const BROKER_CONFIG: BrokerConfig = {
  minInvisibleMs: 100,
  pushLongPollingMs: 1000,
  groups: { points: FAST_RETRY, coupons: FAST_RETRY },
  transaction: { checkImmunityMs: 1000, checkIntervalMs: 1000, maxChecks: 100 },
};

/** How long the system may take to deliver what is left after the last crash. */
const SETTLE_BOUND_MS = 150_000;

test('200 registrations while the broker, the account service and a consumer service are killed and restarted: every registration complete, exactly once', async (t) => {
  const random = seededRandom();
  const consumer = random.next() < 0.5 ? 'points' : 'coupons';
  const registrations = 200;
  const plan = chaosPlan(random, ['broker', 'account', consumer], registrations, 2, 800);
  const log = (line: string) => t.diagnostic(line);
  log(`seed ${random.seed} (TXMQ_CHAOS_SEED=${random.seed} repeats this run); plan: ${plan.map((k) => `${k.target}@${k.at}+${k.downMs}ms`).join(', ')}`);

  const system = await startPostgresSystem({ serverUrl: await testDatabaseUrl(), brokerConfig: BROKER_CONFIG, delivery: 'outbox' });
  try {
    const loadStart = Date.now();
    const results = await runLoad({
      accountUrl: system.accountUrl,
      processes: new Map([['broker', system.broker], ...Object.entries(system.services)]),
      registrations,
      concurrency: 4,
      paceMs: 60,
      plan,
      email: (i) => `user${i}@chaos.example`,
      log,
    });
    const settleStart = Date.now();
    const state = await settle(system);
    log(`load and crashes ${seconds(settleStart - loadStart)}, settled ${seconds(Date.now() - settleStart)} later`);
    log(summary(results, state));
    assertComplete(results, state, system);
  } finally {
    await system.dispose();
  }
});

async function settle(system: PostgresSystem): Promise<SystemState> {
  try {
    return await eventually('every user to have welcome points and a coupon', async () => {
      const state = await readState(system.db);
      return settled(state) ? state : undefined;
    }, { timeoutMs: SETTLE_BOUND_MS, intervalMs: 250 });
  } catch (error) {
    const state = await readState(system.db);
    const missing = [...state.users.values()].filter((id) => !state.points.has(id) || !state.coupons.has(id));
    throw new Error(`${(error as Error).message}: ${missing.length} of ${state.users.size} users lack a reward\n${system.tails()}`, { cause: error });
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function summary(results: readonly Registration[], state: SystemState): string {
  const count = (outcome: Registration['outcome']) => results.filter((r) => r.outcome === outcome).length;
  const failed = results.filter((r) => r.outcome === 'failed');
  const kept = failed.filter((r) => state.users.has(r.email)).length;
  return `${count('created')} answered 201, ${count('refused')} refused, ${failed.length} without an answer (${kept} of them registered nonetheless); ${state.users.size} users`;
}

function assertComplete(results: readonly Registration[], state: SystemState, system: PostgresSystem): void {
  for (const result of results) {
    if (result.outcome === 'created') assert.equal(state.users.get(result.email), result.id, `${result.email} was answered 201, so it is registered, with that id`);
    if (result.outcome === 'refused') assert.fail(`${result.email} was refused with ${result.status}: ${result.body}`);
  }
  const attempted = new Set(results.map((r) => r.email));
  for (const email of state.users.keys()) assert.ok(attempted.has(email), `${email} is a registration the test made`);
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
