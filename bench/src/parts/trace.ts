import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProducer, createSimpleConsumer } from '@txmq/broker/client';
import { spawnListening, type ListeningProcess } from '../broker-process.js';
import { benchLogger, producerOptions } from '../peers/client-options.js';
import { pool } from '../peers/peer.js';
import { receiveLoops } from '../peers/simple-loops.js';
import { deadline, type Profile } from '../profile.js';
import { perSecond } from '../report/stats.js';
import { kib, type Part } from './part.js';

/** Timed rounds per broker, alternating between them so the machine's drift hits both alike. */
const ROUNDS = 6;

interface TracedBroker {
  readonly process: ListeningProcess;
  readonly dir: string;
}

async function startBroker(trace: boolean): Promise<TracedBroker> {
  const dir = await mkdtemp(join(tmpdir(), 'txmq-bench-trace-'));
  const config = join(dir, 'config.json');
  await writeFile(config, JSON.stringify({ trace: { enabled: trace } }));
  const cli = createRequire(import.meta.url).resolve('@txmq/broker').replace(/index\.js$/, 'cli/main.js');
  const process = await spawnListening([cli, '--port', '0', '--data-dir', join(dir, 'data'), '--config', config, '--log-level', 'warn'], 'broker');
  return { process, dir };
}

/** A producer and a simple consumer of one topic, started once and used by every round. */
interface Session {
  /** Publishes `count` 1 KiB messages (each with a key), then consumes them; msg/s of each. */
  round(count: number): Promise<{ publish: number; consume: number }>;
  close(): Promise<void>;
}

async function session(endpoint: string, profile: Profile): Promise<Session> {
  const topic = 'bench-trace';
  const producer = createProducer(producerOptions(endpoint, [topic], profile));
  await producer.start();
  const consumer = createSimpleConsumer({ endpoints: endpoint, group: 'bench-trace', subscriptions: { [topic]: '*' }, awaitMs: 2_000, logger: benchLogger });
  await consumer.start();
  const body = kib();
  let sent = 0;
  return {
    async round(count) {
      let start = performance.now();
      const published = await pool(count, profile.inFlight, () => producer.send({ topic, body, keys: [`order-${++sent}`] }), deadline(profile.publishSeconds));
      const publish = perSecond(published, performance.now() - start);
      start = performance.now();
      const loops = receiveLoops(consumer, published, profile.receiveLoops, profile.receiveBatch);
      let consumeMs: number;
      try {
        await loops.done;
        consumeMs = performance.now() - start;
      } finally {
        // The loops' last long polls end (empty) before the next round publishes.
        await loops.drained.catch(() => undefined);
      }
      return { publish, consume: perSecond(published, consumeMs) };
    },
    async close() {
      await producer.close();
      await consumer.close();
    },
  };
}

/** The median: one round disturbed by the rest of the machine does not move it much. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * What durable message tracing costs: two txmq brokers (durable store), one with `trace.enabled`
 * (the default) and one without, each publishing then consuming `messages / 6` (at least 2,500) 1 KiB messages a
 * round, `inFlight` at a time, rounds alternating between them. A plain publish writes no trace
 * record (its sent and stored events are read off the stored message); a consumed message's
 * delivery and acknowledgement are recorded.
 */
export const tracePart: Part = {
  name: 'trace',
  async run({ profile, results, log }) {
    const on = await startBroker(true);
    const off = await startBroker(false);
    const sessions: Session[] = [];
    const count = Math.max(2500, Math.round(profile.messages / ROUNDS));
    const figures = { on: { publish: [] as number[], consume: [] as number[] }, off: { publish: [] as number[], consume: [] as number[] } };
    try {
      const onSession = await session(on.process.endpoint, profile);
      sessions.push(onSession);
      const offSession = await session(off.process.endpoint, profile);
      sessions.push(offSession);
      for (const s of sessions) await s.round(profile.warmup);
      for (let i = 0; i < ROUNDS; i++) {
        for (const [name, s] of (i % 2 === 0 ? [['on', onSession], ['off', offSession]] : [['off', offSession], ['on', onSession]]) as [keyof typeof figures, Session][]) {
          const r = await s.round(count);
          figures[name].publish.push(r.publish);
          figures[name].consume.push(r.consume);
          log(`trace: round ${i + 1} trace ${name}: publish ${r.publish.toFixed(0)} msg/s, consume ${r.consume.toFixed(0)} msg/s`);
        }
      }
      // Each round's two runs are next to each other in time: their ratio cancels most of the machine's drift.
      const ratios = (key: 'publish' | 'consume') => figures.on[key].map((v, i) => v / figures.off[key][i]!);
      const publishOn = median(figures.on.publish);
      const publishOff = median(figures.off.publish);
      const consumeOn = median(figures.on.consume);
      const consumeOff = median(figures.off.consume);
      results.set('trace_publish_on_msg_s', 'publish, 1 KiB with a key, tracing on', 'msg/s', 'txmq', publishOn);
      results.set('trace_publish_off_msg_s', 'publish, 1 KiB with a key, tracing off', 'msg/s', 'txmq', publishOff);
      results.set('trace_publish_ratio', 'publish with tracing on / off (median of the rounds)', '×', 'txmq', median(ratios('publish')));
      results.set('trace_consume_on_msg_s', 'consume, per-message acks, tracing on', 'msg/s', 'txmq', consumeOn);
      results.set('trace_consume_off_msg_s', 'consume, per-message acks, tracing off', 'msg/s', 'txmq', consumeOff);
      results.set('trace_consume_ratio', 'consume with tracing on / off (median of the rounds)', '×', 'txmq', median(ratios('consume')));
      results.note('trace_publish_ratio', `${ROUNDS} alternating rounds of ${count.toLocaleString('en-US')} messages per broker, ${profile.inFlight} in flight; medians`);
      log(`trace: publish on/off per round ${ratios('publish').map((r) => r.toFixed(2)).join(' ')}, consume on/off per round ${ratios('consume').map((r) => r.toFixed(2)).join(' ')}`);
    } finally {
      for (const s of sessions) await s.close().catch((error: unknown) => log(`trace: closing clients: ${(error as Error).message}`));
      for (const broker of [on, off]) {
        await broker.process.stop();
        await rm(broker.dir, { recursive: true, force: true });
      }
    }
  },
};
