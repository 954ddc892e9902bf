import amqp from 'amqplib';
import type { SystemKey } from '../report/systems.js';
import { pool, type Peer, type PeerFactory } from './peer.js';

/**
 * RabbitMQ at `AMQP_URL` (default amqp://guest:guest@127.0.0.1:5672): a durable queue of
 * `queueType`, persistent messages, publisher confirms, prefetch = in flight, manual per-message acks.
 */
function rabbitPeer(key: SystemKey, queueType: 'classic' | 'quorum', suffix: string): Peer {
  const url = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
  let connection: amqp.ChannelModel;
  let channel: amqp.ConfirmChannel;
  const queue = `bench-${process.pid}-${queueType}-${suffix}`;
  const confirm = (body: Buffer) => new Promise<void>((resolve, reject) => {
    channel.sendToQueue(queue, body, { persistent: true }, (error) => (error ? reject(error as Error) : resolve()));
  });
  const subscribe = async (inFlight: number, onMessage: (body: Buffer) => boolean) => {
    const consumeChannel = await connection.createChannel();
    await consumeChannel.prefetch(inFlight);
    let open = true;
    const { consumerTag } = await consumeChannel.consume(queue, (m) => {
      if (!m || !open) return;
      const more = onMessage(m.content);
      consumeChannel.ack(m);
      if (!more) open = false;
    });
    return { stop: async () => {
      await consumeChannel.cancel(consumerTag);
      await consumeChannel.close();
    } };
  };
  return {
    key,
    async setup() {
      connection = await amqp.connect(url, { timeout: 2_000 });
      channel = await connection.createConfirmChannel();
      await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': queueType } });
    },
    async publish(count, body, inFlight, until) {
      return pool(count, inFlight, () => confirm(body), until);
    },
    send: confirm,
    async consume(count, inFlight) {
      let received = 0;
      let done!: () => void;
      const finished = new Promise<void>((resolve) => {
        done = resolve;
      });
      const subscription = await subscribe(inFlight, () => {
        if (++received < count) return true;
        done();
        return false;
      });
      await finished;
      await subscription.stop();
    },
    subscribe: (onMessage, inFlight) => subscribe(inFlight, (body) => {
      onMessage(body);
      return true;
    }),
    async teardown() {
      await channel.deleteQueue(queue).catch(() => undefined);
      await connection.close();
    },
  };
}

/** A classic durable queue. */
export const rabbitClassicPeer: PeerFactory = (suffix) => rabbitPeer('rabbitClassic', 'classic', suffix);
/** A quorum queue (`x-queue-type: quorum`; replicated Raft log, durable by construction). */
export const rabbitQuorumPeer: PeerFactory = (suffix) => rabbitPeer('rabbitQuorum', 'quorum', suffix);
