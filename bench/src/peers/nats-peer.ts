import { AckPolicy, connect, RetentionPolicy, StorageType, type NatsConnection } from 'nats';
import { pool, type Peer } from './peer.js';

/** NATS JetStream on 127.0.0.1:4222: file storage, awaited publish acks, explicit consumer acks. */
export function natsPeer(url = process.env.NATS_URL ?? '127.0.0.1:4222'): Peer {
  let nc: NatsConnection;
  const stream = `BENCH_${process.pid}`;
  const subject = `bench.${process.pid}`;
  return {
    name: 'NATS JetStream',
    async setup() {
      nc = await connect({ servers: url });
      const jsm = await nc.jetstreamManager();
      await jsm.streams.add({ name: stream, subjects: [subject], storage: StorageType.File, retention: RetentionPolicy.Limits });
      await jsm.consumers.add(stream, { durable_name: 'bench', ack_policy: AckPolicy.Explicit });
    },
    async publish(count, body, inFlight) {
      const js = nc.jetstream();
      await pool(count, inFlight, () => js.publish(subject, body));
    },
    async consume(count) {
      const consumer = await nc.jetstream().consumers.get(stream, 'bench');
      const messages = await consumer.consume({ max_messages: 256 });
      let received = 0;
      for await (const m of messages) {
        m.ack();
        if (++received >= count) messages.stop();
      }
    },
    async teardown() {
      await (await nc.jetstreamManager()).streams.delete(stream);
      await nc.drain();
    },
  };
}
