import { createRelay, type Outbox } from '@txmq/outbox';

/** Relay throughput: 20,000 committed rows, then one relay publishes them all to the broker at `endpoint`. */
export async function relayThroughput(outbox: Outbox, endpoint: string): Promise<void> {
  const n = 20_000;
  for (let i = 0; i < n; i += 1_000) {
    await outbox.db.transaction().execute((trx) =>
      outbox.sendMany(trx, Array.from({ length: 1_000 }, (_, k) => ({ topic: 'bench-throughput', body: { i: i + k } }))),
    );
  }
  const relay = createRelay({ outbox, endpoints: endpoint, batchSize: 200, maxInFlight: 512 });
  const start = performance.now();
  await relay.start();
  while ((await outbox.stats()).pending > 0) await new Promise((r) => setTimeout(r, 50));
  const seconds = (performance.now() - start) / 1000;
  await relay.stop();
  console.log(`relay throughput: ${n} messages in ${seconds.toFixed(2)} s = ${(n / seconds).toFixed(0)} msg/s`);
}

