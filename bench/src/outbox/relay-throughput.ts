import { createRelay, type Outbox } from '@txmq/outbox';

/**
 * Relay throughput: `rows` committed rows (in transactions of 1,000), then one relay publishes them
 * to the broker at `endpoint`; msg/s from its first published row until no row is pending, or
 * until `seconds` later (0: no limit). The published rows stay on the broker unconsumed.
 */
export async function relayThroughput(outbox: Outbox, endpoint: string, rows: number, seconds = 0): Promise<{ perSecond: number; published: number }> {
  for (let i = 0; i < rows; i += 1_000) {
    const size = Math.min(1_000, rows - i);
    await outbox.db.transaction().execute((trx) =>
      outbox.sendMany(trx, Array.from({ length: size }, (_, k) => ({ topic: 'bench-throughput', body: { i: i + k } }))),
    );
  }
  const relay = createRelay({ outbox, endpoints: endpoint, batchSize: 200, maxInFlight: 512 });
  await relay.start();
  // The clock starts at the first published row: the producer's start-up is not relaying.
  let pending = rows;
  const giveUp = performance.now() + 60_000;
  while (pending === rows) {
    if (performance.now() > giveUp) {
      await relay.stop();
      throw new Error('the relay published nothing within 60 s');
    }
    pending = await pendingAfter(outbox, 5);
  }
  const start = performance.now();
  const first = rows - pending;
  const until = seconds > 0 ? start + seconds * 1000 : Number.POSITIVE_INFINITY;
  while (pending > 0 && performance.now() < until) pending = await pendingAfter(outbox, 20);
  const elapsed = performance.now() - start;
  await relay.stop();
  return { perSecond: ((rows - pending - first) * 1000) / elapsed, published: rows - pending };
}

async function pendingAfter(outbox: Outbox, ms: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return (await outbox.stats()).pending;
}
