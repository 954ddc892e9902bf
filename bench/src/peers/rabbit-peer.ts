import amqp from 'amqplib';
import { pool, type Peer } from './peer.js';

/** RabbitMQ on 127.0.0.1:5672: durable queue, persistent messages, publisher confirms, manual acks. */
export function rabbitPeer(url = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672'): Peer {
  let connection: amqp.ChannelModel;
  let channel: amqp.ConfirmChannel;
  const queue = `bench-${process.pid}`;
  return {
    name: 'RabbitMQ (confirms)',
    async setup() {
      connection = await amqp.connect(url);
      channel = await connection.createConfirmChannel();
      await channel.assertQueue(queue, { durable: true });
    },
    async publish(count, body, inFlight) {
      await pool(count, inFlight, () =>
        new Promise<void>((resolve, reject) => {
          channel.sendToQueue(queue, body, { persistent: true }, (error) => (error ? reject(error) : resolve()));
        }),
      );
    },
    async consume(count) {
      const consumeChannel = await connection.createChannel();
      await consumeChannel.prefetch(256);
      await new Promise<void>((resolve) => {
        let received = 0;
        void consumeChannel.consume(queue, (m) => {
          if (!m) return;
          consumeChannel.ack(m);
          if (++received === count) resolve();
        });
      });
      await consumeChannel.close();
    },
    async teardown() {
      await channel.deleteQueue(queue);
      await connection.close();
    },
  };
}
