import { timeTransactions } from './measure.js';
import type { OutboxFixture } from './fixture.js';

/**
 * The rate Postgres commits the business transaction of these benchmarks: a user row and an
 * outbox row (`outbox.send`) in one transaction, on `connections` connections at once.
 */
export async function businessRate(fixture: OutboxFixture, n: number, connections: number): Promise<number> {
  const { db, outbox } = fixture;
  const run = (i: number) => db.transaction().execute(async (trx) => {
    await fixture.insertUser(trx);
    await outbox.send(trx, { topic: 'bench-business', body: { i } });
  });
  await timeTransactions(Math.min(500, n), connections, run); // warm-up
  const { perSecond } = await timeTransactions(n, connections, run);
  return perSecond;
}
