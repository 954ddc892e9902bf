import { pool } from '../peers/peer.js';
import { perSecond } from '../report/stats.js';
import type { OutboxFixture } from './fixture.js';

/**
 * The rate Postgres commits the business transaction of these benchmarks: a user row and an
 * outbox row (`outbox.send`) in one transaction, on `connections` connections at once; `n`
 * transactions after a warm-up, none started after `until` (a `performance.now()` time).
 */
export async function businessRate(fixture: OutboxFixture, n: number, connections: number, until: number): Promise<number> {
  const { db, outbox } = fixture;
  const run = (i: number) => db.transaction().execute(async (trx) => {
    await fixture.insertUser(trx);
    await outbox.send(trx, { topic: 'bench-business', body: { i } });
  });
  await pool(Math.min(500, n), connections, run, until); // warm-up
  const start = performance.now();
  const done = await pool(n, connections, run, until);
  return perSecond(done, performance.now() - start);
}
