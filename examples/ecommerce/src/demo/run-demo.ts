import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AccountStats, GrantStats, UserList } from '../shared/api.js';
import { listenForStop } from '../shared/stop-signal.js';
import { quietOutput } from '../supervisor/process-output.js';
import { startSystem, type RunningSystem } from '../supervisor/system.js';
import { getJson, postJson } from './http.js';
import { Progress } from './progress.js';
import { demoAttempts, type Attempt } from './registrations.js';
import { usersTable } from './table.js';

/** How long the demo waits for every reward once the registrations are answered. */
const REWARDS_BOUND_MS = 60_000;
/** Registrations in flight at once. */
const CONCURRENCY = 4;

/** What the services' databases hold at the end. */
interface Counts {
  readonly registered: number;
  readonly points: number;
  readonly coupons: number;
  readonly gifts: number | undefined;
  readonly duplicates: number;
}

/**
 * `demo`: starts the broker and the services on embedded defaults in a fresh temporary folder,
 * registers `users` users over HTTP (with duplicates, which must be refused), waits until every
 * reward arrived, prints a table, stops everything and prints, as its last line,
 * `registered=N points=N coupons=N duplicates=0` counted from the services' databases.
 *
 * @returns 0 when every registration got exactly one of each reward and every duplicate a 409.
 */
export async function runDemo({ users, withGifts }: { readonly users: number; readonly withGifts: boolean }): Promise<number> {
  const stop = listenForStop();
  const dataDir = await mkdtemp(join(tmpdir(), 'txmq-demo-'));
  const output = quietOutput();
  console.log(`starting the broker and the services (embedded, data in ${dataDir})`);
  let system: RunningSystem | undefined;
  let counts: Counts | undefined;
  let ok = false;
  try {
    system = await startSystem(
      {
        host: '127.0.0.1',
        dataDir,
        withGifts,
        ports: { broker: 0, account: 0, points: 0, coupons: 0, gifts: 0 },
        externalBroker: undefined,
        env: embeddedEnv(process.env),
        output: 'quiet',
      },
      output,
    );
    stop.started();
    for (const p of [...system.services.values(), system.broker!]) console.log(`  ${p.name.padEnd(8)} ${p.address}`);
    const interrupted = stop.stopped.then((reason) => Promise.reject(new Error(`interrupted (${reason})`)));
    ({ counts, ok } = await Promise.race([scenario(system, users, withGifts), interrupted]));
  } catch (error) {
    output.dump();
    console.error(`demo failed: ${(error as Error).message}`);
  } finally {
    await system?.stop();
    await rm(dataDir, { recursive: true, force: true });
    stop.dispose();
  }
  if (counts === undefined) return 1;
  console.log(`registered=${counts.registered} points=${counts.points} coupons=${counts.coupons} duplicates=${counts.duplicates}`);
  return ok ? 0 : 1;
}

async function scenario(system: RunningSystem, users: number, withGifts: boolean): Promise<{ counts: Counts; ok: boolean }> {
  const url = (name: 'account' | 'points' | 'coupons' | 'gifts') => system.services.get(name)!.address!;
  const attempts = demoAttempts(users);
  const expectedRefusals = attempts.filter((a) => a.duplicate).length;
  const progress = new Progress();
  let created = 0;
  let refused = 0;
  const problems: string[] = [];
  await forEachConcurrently(attempts, CONCURRENCY, async (attempt: Attempt) => {
    try {
      const { status, body } = await postJson(`${url('account')}/users`, { email: attempt.email, name: attempt.name });
      if (status === 201) created++;
      else if (status === 409) refused++;
      else problems.push(`POST /users ${attempt.email}: ${status} ${JSON.stringify(body)}`);
    } catch (error) {
      problems.push(`POST /users ${attempt.email}: no answer (${(error as Error).message})`);
    }
    progress.update(`registering: ${created + refused}/${attempts.length} answered (${created} created, ${refused} refused as duplicates)`);
  });
  progress.done(`registered ${created} users; refused ${refused} duplicate registrations with 409 (expected ${expectedRefusals})`);
  if (created !== users) problems.push(`${created} registrations succeeded, expected ${users}`);
  if (refused !== expectedRefusals) problems.push(`${refused} duplicates refused, expected ${expectedRefusals}`);

  // Waits for the registrations the account service holds (a POST that failed may or may not
  // have registered its user); a service that does not answer for a moment is asked again.
  const deadline = Date.now() + REWARDS_BOUND_MS;
  let counts: Counts | undefined;
  let unanswered: Error | undefined;
  for (;;) {
    try {
      counts = await readCounts(url, withGifts);
      unanswered = undefined;
    } catch (error) {
      unanswered = error as Error;
    }
    const { registered = 0, points = 0, coupons = 0, gifts = 0 } = counts ?? {};
    const complete = unanswered === undefined && points >= registered && coupons >= registered && (!withGifts || gifts >= registered);
    const status = `rewards: points ${points}/${registered}, coupons ${coupons}/${registered}${withGifts ? `, gifts ${gifts}/${registered}` : ''}`;
    if (complete) {
      progress.done(status);
      break;
    }
    progress.update(status);
    if (Date.now() > deadline) {
      progress.done(status);
      problems.push(`not every reward arrived within ${REWARDS_BOUND_MS / 1000} s${unanswered ? ` (last: ${unanswered.message})` : ''}`);
      break;
    }
    await sleep(200);
  }
  if (counts === undefined) throw new Error(`the services' counts could not be read within ${REWARDS_BOUND_MS / 1000} s: ${unanswered?.message}`);

  const list = await getJson<UserList>(`${url('account')}/users?limit=${Math.min(users, 500)}`);
  console.log(`\n${usersTable([...list.users].reverse())}\n`);
  for (const user of list.users) {
    if (user.points !== 100 || user.coupon === null) problems.push(`${user.email} has points ${user.points} and coupon ${user.coupon?.code ?? 'none'}`);
  }
  if (counts.duplicates !== 0) problems.push(`${counts.duplicates} grants beyond one per registration`);
  if (withGifts) console.log(`gifts: ${counts.gifts} welcome gifts sent`);
  for (const problem of problems.slice(0, 20)) console.error(`problem: ${problem}`);
  return { counts, ok: problems.length === 0 && counts.registered === users };
}

/** The counts, from each service's `GET /stats` (SQL counts of its own tables). */
async function readCounts(url: (name: 'account' | 'points' | 'coupons' | 'gifts') => string, withGifts: boolean): Promise<Counts> {
  const [account, points, coupons, gifts] = await Promise.all([
    getJson<AccountStats>(`${url('account')}/stats`),
    getJson<GrantStats>(`${url('points')}/stats`),
    getJson<GrantStats>(`${url('coupons')}/stats`),
    withGifts ? getJson<GrantStats>(`${url('gifts')}/stats`) : undefined,
  ]);
  return {
    registered: account.users,
    points: points.registrations,
    coupons: coupons.registrations,
    gifts: gifts?.registrations,
    duplicates: points.duplicates + coupons.duplicates + (gifts?.duplicates ?? 0),
  };
}

async function forEachConcurrently<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** `env` without what would point the demo away from its own embedded broker and databases. */
function embeddedEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const own = { ...env };
  for (const name of ['DATABASE_URL', 'DATABASE_SCHEMA_PREFIX', 'TXMQ_ENDPOINTS', 'TXMQ_DATA_DIR', 'POINTS_URL', 'COUPONS_URL']) delete own[name];
  return own;
}
