import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Producer, SimpleConsumer } from 'rocketmq-client-nodejs';
import { pool, type Peer } from './peer.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, close: () => undefined };

/** txmq's broker as a separate process (durable LMDB store), driven by the official RocketMQ client. */
export function txmqPeer(): Peer {
  let child: ChildProcess;
  let dir: string;
  let endpoints = '';
  const topic = `bench-${process.pid}`;
  let producer: Producer;
  return {
    name: 'txmq (official RocketMQ client)',
    async setup() {
      dir = await mkdtemp(join(tmpdir(), 'txmq-bench-'));
      const cli = createRequire(import.meta.url).resolve('@txmq/broker').replace(/index\.js$/, 'cli.js');
      child = spawn(process.execPath, [cli, '--port', '0', '--data-dir', dir, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
      endpoints = await new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', (chunk: Buffer) => {
          const match = /listening on (\S+)/.exec(chunk.toString());
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`broker exited with ${code}`)));
      });
      producer = new Producer({ endpoints, namespace: '', topic, logger: quiet });
      await producer.startup();
    },
    async publish(count, body, inFlight) {
      await pool(count, inFlight, () => producer.send({ topic, body }));
    },
    async consume(count) {
      const consumer = new SimpleConsumer({ endpoints, namespace: '', consumerGroup: 'bench', subscriptions: new Map([[topic, '*']]), awaitDuration: 5000, logger: quiet });
      await consumer.startup();
      let received = 0;
      while (received < count) {
        const batch = await consumer.receive(32, 60_000);
        received += batch.length;
        await Promise.all(batch.map((m) => consumer.ack(m)));
      }
      await consumer.shutdown();
    },
    async teardown() {
      await producer.shutdown();
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
