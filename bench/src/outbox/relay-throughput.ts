import { createRelay, type Outbox } from '@txmq/outbox';

/**
 * Relay throughput: `rows` committed rows (in transactions of 1,000), then one relay publishes them
 * to the broker at `endpoint`; msg/s from its start until no row is pending, or rows published
 * by `seconds` after its start (0: no limit). The published rows stay on the broker unconsumed.
 */
export async function relayThroughput(outbox: Outbox, endpoint: string, rows: number, seconds = 0): Promise<{ perSecond: number; published: number }> {
  for (let i = 0; i < rows; i += 1_000) {
    const size = Math.min(1_000, rows - i);
    await outbox.db.transaction().execute((trx) =>
      outbox.sendMany(trx, Array.from({ length: size }, (_, k) => ({ topic: 'bench-throughput', body: { i: i + k } }))),
    );
  }
  const relay = createRelay({ outbox, endpoints: endpoint, batchSize: 200, maxInFlight: 512 });
  const start = performance.now();
  const until = seconds > 0 ? start + seconds * 1000 : Number.POSITIVE_INFINITY;
  await relay.start();
  let pending = rows;
  while (pending > 0 && performance.now() < until) {
    await new Promise((r) => setTimeout(r, 20));
    pending = (await outbox.stats()).pending;
  }
  const elapsed = performance.now() - start;
  await relay.stop();
  return { perSecond: ((rows - pending) * 1000) / elapsed, published: rows - pending };
}
