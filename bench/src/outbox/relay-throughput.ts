import { createRelay, type Outbox } from '@txmq/outbox';

/**
 * Relay throughput: `rows` committed rows (in transactions of 1,000), then one relay publishes them
 * all to the broker at `endpoint`; msg/s from its start until no row is pending. The published
 * rows stay on the broker unconsumed.
 */
export async function relayThroughput(outbox: Outbox, endpoint: string, rows: number): Promise<number> {
  for (let i = 0; i < rows; i += 1_000) {
    const size = Math.min(1_000, rows - i);
    await outbox.db.transaction().execute((trx) =>
      outbox.sendMany(trx, Array.from({ length: size }, (_, k) => ({ topic: 'bench-throughput', body: { i: i + k } }))),
    );
  }
  const relay = createRelay({ outbox, endpoints: endpoint, batchSize: 200, maxInFlight: 512 });
  const start = performance.now();
  await relay.start();
  while ((await outbox.stats()).pending > 0) await new Promise((r) => setTimeout(r, 20));
  const seconds = (performance.now() - start) / 1000;
  await relay.stop();
  return rows / seconds;
}
