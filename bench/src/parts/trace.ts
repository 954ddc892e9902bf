import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

/** Clock ticks per second of /proc's CPU times. */
function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
}

/** CPU seconds (user + system) process `pid` has used; NaN without /proc. */
async function cpuSeconds(pid: number, ticks: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticks;
  } catch {
    return Number.NaN;
  }
}

/** A producer and a simple consumer of one topic, started once and used by every round. */
/** One round's rates and the broker's CPU time per message. */
interface Round {
  readonly publish: number;
  readonly consume: number;
  readonly publishCpuUs: number;
  readonly consumeCpuUs: number;
}

interface Session {
  /** Publishes `count` 1 KiB messages (each with a key), then consumes them; msg/s of each. */
  round(count: number): Promise<Round>;
  close(): Promise<void>;
}

async function session(endpoint: string, pid: number, profile: Profile): Promise<Session> {
  const ticks = clockTicks();
  const topic = 'bench-trace';
  const producer = createProducer(producerOptions(endpoint, [topic], profile));
  await producer.start();
  const consumer = createSimpleConsumer({ endpoints: endpoint, group: 'bench-trace', subscriptions: { [topic]: '*' }, awaitMs: 2_000, logger: benchLogger });
  await consumer.start();
  const body = kib();
  let sent = 0;
  return {
    async round(count) {
      const cpu0 = await cpuSeconds(pid, ticks);
      let start = performance.now();
      const published = await pool(count, profile.inFlight, () => producer.send({ topic, body, keys: [`order-${++sent}`] }), deadline(profile.publishSeconds));
      const publish = perSecond(published, performance.now() - start);
      const cpu1 = await cpuSeconds(pid, ticks);
      start = performance.now();
      const loops = receiveLoops(consumer, published, profile.receiveLoops, profile.receiveBatch);
      let consumeMs: number;
      let cpu2 = Number.NaN;
      try {
        await loops.done;
        consumeMs = performance.now() - start;
      } finally {
        cpu2 = await cpuSeconds(pid, ticks);
        // The loops' last long polls end (empty) before the next round publishes.
        await loops.drained.catch(() => undefined);
      }
      return { publish, consume: perSecond(published, consumeMs), publishCpuUs: ((cpu1 - cpu0) / published) * 1e6, consumeCpuUs: ((cpu2 - cpu1) / published) * 1e6 };
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
 * (the default) and one without, each publishing then consuming `messages / 6` (at least 2,500)
 * 1 KiB messages a round, `inFlight` at a time, rounds alternating between them; throughput and
 * the broker process's CPU time per message. A plain publish writes no trace
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
    const figures = {
      on: { publish: [] as number[], consume: [] as number[], publishCpuUs: [] as number[], consumeCpuUs: [] as number[] },
      off: { publish: [] as number[], consume: [] as number[], publishCpuUs: [] as number[], consumeCpuUs: [] as number[] },
    };
    try {
      const onSession = await session(on.process.endpoint, on.process.pid, profile);
      sessions.push(onSession);
      const offSession = await session(off.process.endpoint, off.process.pid, profile);
      sessions.push(offSession);
      for (const s of sessions) await s.round(profile.warmup);
      for (let i = 0; i < ROUNDS; i++) {
        for (const [name, s] of (i % 2 === 0 ? [['on', onSession], ['off', offSession]] : [['off', offSession], ['on', onSession]]) as [keyof typeof figures, Session][]) {
          const r = await s.round(count);
          figures[name].publish.push(r.publish);
          figures[name].consume.push(r.consume);
          figures[name].publishCpuUs.push(r.publishCpuUs);
          figures[name].consumeCpuUs.push(r.consumeCpuUs);
          log(`trace: round ${i + 1} trace ${name}: publish ${r.publish.toFixed(0)} msg/s (broker CPU ${r.publishCpuUs.toFixed(0)} µs/msg), consume ${r.consume.toFixed(0)} msg/s (${r.consumeCpuUs.toFixed(0)} µs/msg)`);
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
      // The broker's CPU time per message is far less disturbed by the rest of a shared machine than its throughput: the mean of the rounds.
      const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
      const cpu = (name: 'on' | 'off', key: 'publishCpuUs' | 'consumeCpuUs') => sum(figures[name][key]) / ROUNDS;
      results.set('trace_publish_cpu_on_us', 'broker CPU per published message, tracing on', 'µs', 'txmq', cpu('on', 'publishCpuUs'));
      results.set('trace_publish_cpu_off_us', 'broker CPU per published message, tracing off', 'µs', 'txmq', cpu('off', 'publishCpuUs'));
      results.set('trace_publish_cpu_ratio', 'broker CPU per published message, tracing on / off', '×', 'txmq', cpu('on', 'publishCpuUs') / cpu('off', 'publishCpuUs'));
      results.set('trace_consume_cpu_on_us', 'broker CPU per consumed message, tracing on', 'µs', 'txmq', cpu('on', 'consumeCpuUs'));
      results.set('trace_consume_cpu_off_us', 'broker CPU per consumed message, tracing off', 'µs', 'txmq', cpu('off', 'consumeCpuUs'));
      results.set('trace_consume_cpu_ratio', 'broker CPU per consumed message, tracing on / off', '×', 'txmq', cpu('on', 'consumeCpuUs') / cpu('off', 'consumeCpuUs'));
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
