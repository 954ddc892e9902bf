import { AckPolicy, connect, RetentionPolicy, StorageType, type NatsConnection } from 'nats';
import { pool, type PeerFactory } from './peer.js';

/** NATS JetStream at `NATS_URL` (default 127.0.0.1:4222): file storage, awaited publish acks, explicit per-message acks. */
export const natsPeer: PeerFactory = (suffix) => {
  const url = process.env.NATS_URL ?? '127.0.0.1:4222';
  let nc: NatsConnection;
  const stream = `BENCH_${process.pid}_${suffix}`;
  const subject = `bench.${process.pid}.${suffix}`;
  const pull = async (inFlight: number, onMessage: (body: Uint8Array) => boolean) => {
    const consumer = await nc.jetstream().consumers.get(stream, 'bench');
    const messages = await consumer.consume({ max_messages: inFlight });
    const loop = (async () => {
      for await (const m of messages) {
        const more = onMessage(m.data);
        m.ack();
        if (!more) break;
      }
    })();
    return { stop: async () => {
      messages.stop();
      await loop;
    } };
  };
  return {
    key: 'nats',
    async setup() {
      nc = await connect({ servers: url, timeout: 2_000 });
      const jsm = await nc.jetstreamManager();
      await jsm.streams.add({ name: stream, subjects: [subject], storage: StorageType.File, retention: RetentionPolicy.Limits });
      await jsm.consumers.add(stream, { durable_name: 'bench', ack_policy: AckPolicy.Explicit, max_ack_pending: 10_000 });
    },
    async publish(count, body, inFlight, until) {
      const js = nc.jetstream();
      return pool(count, inFlight, () => js.publish(subject, body), until);
    },
    async send(body) {
      await nc.jetstream().publish(subject, body);
    },
    async consume(count, inFlight) {
      let received = 0;
      let done!: () => void;
      const finished = new Promise<void>((resolve) => {
        done = resolve;
      });
      const subscription = await pull(inFlight, () => {
        if (++received < count) return true;
        done();
        return false;
      });
      await finished;
      await subscription.stop();
    },
    async subscribe(onMessage, inFlight) {
      return pull(inFlight, (data) => {
        onMessage(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
        return true;
      });
    },
    async teardown() {
      await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
      await nc.drain();
    },
  };
};
