import { randomUUID } from 'node:crypto';
import { createSimpleConsumer } from '@txmq/broker';
import { createBrokerPublisher, createRelay, type Outbox, type Publisher } from '@txmq/outbox';
import { sql } from 'kysely';

/**
 * Commit-to-relay-publish and commit-to-consumer latency at a paced 1,000 transactions/s, each
 * writing a user row and a message; the relay wakes on LISTEN at `listen`.
 */
export async function commitLatency(outbox: Outbox, endpoint: string, listen: string): Promise<void> {
  const rate = 1_000;
  const seconds = 10;
  const warmUp = 2_000; // the first two seconds (topic creation, first long polls) are not measured
  const consumer = createSimpleConsumer({ endpoints: endpoint, group: 'bench-latency', subscriptions: { 'bench-latency': '*' }, awaitMs: 1_000 });
  // The relay's hand-off time is recorded too: commit -> publish() isolates the outbox's part.
  const handOff: number[] = [];
  const broker = createBrokerPublisher({ endpoints: endpoint });
  const publisher: Publisher = {
    publish(message) {
      const body = JSON.parse(message.body.toString()) as { i: number; committedAt: number };
      if (body.i >= warmUp) handOff.push(Date.now() - body.committedAt);
      return broker.publish(message);
    },
  };
  const relay = createRelay({ outbox, publisher, listen, pollIntervalMs: 500 });
  await relay.start();
  const total = warmUp + rate * seconds;
  const latencies: number[] = [];
  let received = 0;
  // Four receive loops, so that one long poll's round trip does not hold messages back.
  const consuming = Promise.all(Array.from({ length: 4 }, async () => {
    while (received < total) {
      for (const m of await consumer.receive(32, 10_000)) {
        const body = JSON.parse(m.body.toString()) as { i: number; committedAt: number };
        received++;
        if (body.i >= warmUp) latencies.push(Date.now() - body.committedAt);
        void consumer.ack(m);
      }
    }
  }));
  // How long `send` + COMMIT itself took: when the database is slow (a checkpoint, a slow disk),
  // it shows there rather than being mistaken for the relay's delay.
  const commits: number[] = [];
  const start = Date.now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // committedAt is taken just before COMMIT, so the figure includes the commit itself.
    let committedAt = 0;
    pending.push(outbox.db.transaction().execute(async (trx) => {
      await sql`insert into ${sql.table(`${outbox.schema}.users`)} (id, name) values (${randomUUID()}, 'u')`.execute(trx);
      committedAt = Date.now();
      await outbox.send(trx, { topic: 'bench-latency', body: { i, committedAt } });
    }).then(() => {
      if (i >= warmUp) commits.push(Date.now() - committedAt);
    }));
  }
  await Promise.all(pending);
  await consuming;
  await relay.stop();
  await consumer.close();
  await broker.close?.();
  const summary = (values: number[]) => {
    values.sort((a, b) => a - b);
    const q = (p: number) => values[Math.min(values.length - 1, Math.floor(p * values.length))];
    return `p50 ${q(0.5)} ms, p90 ${q(0.9)} ms, p99 ${q(0.99)} ms, max ${values.at(-1)} ms (${values.length} messages)`;
  };
  console.log(`send + COMMIT at ${rate} tx/s for ${seconds} s: ${summary(commits)}`);
  console.log(`commit-to-relay-publish at ${rate} tx/s for ${seconds} s: ${summary(handOff)}`);
  console.log(`commit-to-consumer at ${rate} tx/s for ${seconds} s: ${summary(latencies)}`);
}

