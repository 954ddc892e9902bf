import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FilterExpression, Producer, SimpleConsumer } from 'rocketmq-client-nodejs';
import { startBroker } from '@txmq/broker';

// The client's index does not re-export the protobuf enums; its generated module is CommonJS.
const { FilterType } = createRequire(import.meta.url)('rocketmq-client-nodejs/proto/apache/rocketmq/v2/definition_pb.js') as typeof import('rocketmq-client-nodejs/proto/apache/rocketmq/v2/definition_pb.js');

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, close: () => undefined };

/** Options of {@link filterThroughput}. */
export interface FilterThroughputOptions {
  /** Messages on the topic; each filter matches half of them (default 10 000, or BENCH_FILTER_MESSAGES). */
  readonly messages?: number;
  /** Receive loops per consumer, each `receive(32)` then acking the batch (default 4). */
  readonly parallelReceives?: number;
  /** Keep the broker's store in memory rather than in LMDB (default false: durable, as deployed). */
  readonly memory?: boolean;
  /** Rounds of tag and SQL, alternating which goes first; the best of each is reported (default 4). */
  readonly rounds?: number;
  /** Acknowledge each received message too (default false: receive alone, where the filter runs). */
  readonly ack?: boolean;
}

/** What {@link filterThroughput} measured. */
export interface FilterThroughputResult {
  readonly messages: number;
  /** Messages each filter matches (half). */
  readonly matching: number;
  /** Matching messages received (and acknowledged, with `ack`) per second with the tag filter `A`. */
  readonly tagPerSecond: number;
  /** The same with the SQL filter `amount >= 50` (user property, read as a number). */
  readonly sqlPerSecond: number;
  /** sqlPerSecond / tagPerSecond; the goal is at least 0.8. */
  readonly ratio: number;
}

/** The SQL filter measured: a numeric comparison of a user property, selecting the same half as tag `A`. */
export const SQL_FILTER = 'amount >= 50';

/**
 * Receive throughput of a consumer group whose SQL92 filter matches half of a topic's messages,
 * against one whose tag filter matches half, on an in-process broker through the official
 * RocketMQ client. Message `i` has tag `A` and `amount = i % 100` when `i % 100 >= 50`, else tag
 * `B`, so both filters skip the same messages and the difference is the cost of evaluating SQL.
 */
export async function filterThroughput(options: FilterThroughputOptions = {}): Promise<FilterThroughputResult> {
  const messages = options.messages ?? Number(process.env.BENCH_FILTER_MESSAGES ?? 10_000);
  const parallel = options.parallelReceives ?? 4;
  const rounds = options.rounds ?? 4;
  const ack = options.ack ?? false;
  const dir = await mkdtemp(join(tmpdir(), 'txmq-filter-bench-'));
  const broker = await startBroker({ port: 0, dataDir: dir, memory: options.memory ?? false, logLevel: 'warn' });
  const topic = `filter-bench-${process.pid}`;
  try {
    const matching = await publish(broker.endpoint, topic, messages);
    let tagPerSecond = 0;
    let sqlPerSecond = 0;
    const tag = async (round: number) => (tagPerSecond = Math.max(tagPerSecond, await consume(broker.endpoint, topic, `tag-${round}`, 'A', matching, parallel, ack)));
    const sql = async (round: number) => (sqlPerSecond = Math.max(sqlPerSecond, await consume(broker.endpoint, topic, `sql-${round}`, new FilterExpression(SQL_FILTER, FilterType.SQL), matching, parallel, ack)));
    for (let round = 0; round < rounds; round++) {
      // Alternate which goes first, so neither always runs on a colder process.
      for (const measure of round % 2 === 0 ? [tag, sql] : [sql, tag]) await measure(round);
    }
    return { messages, matching, tagPerSecond, sqlPerSecond, ratio: sqlPerSecond / tagPerSecond };
  } finally {
    await broker.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Sends `count` 1 KiB messages, 64 in flight; resolves to how many each filter matches. */
async function publish(endpoints: string, topic: string, count: number): Promise<number> {
  const producer = new Producer({ endpoints, namespace: '', topic, logger: quiet });
  await producer.startup();
  const body = Buffer.alloc(1024, 'x');
  let next = 0;
  let matching = 0;
  const worker = async () => {
    while (next < count) {
      const amount = next++ % 100;
      if (amount >= 50) matching++;
      await producer.send({ topic, body, tag: amount >= 50 ? 'A' : 'B', properties: new Map([['amount', String(amount)]]) });
    }
  };
  try {
    await Promise.all(Array.from({ length: 64 }, worker));
  } finally {
    await producer.shutdown();
  }
  return matching;
}

/** Receives (and with `ack` acknowledges) `count` messages as a new group subscribed with `filter`; resolves to messages per second. */
async function consume(endpoints: string, topic: string, group: string, filter: string | FilterExpression, count: number, parallel: number, ack: boolean): Promise<number> {
  const consumer = new SimpleConsumer({ endpoints, namespace: '', consumerGroup: `filter-bench-${group}`, subscriptions: new Map([[topic, filter]]), awaitDuration: 1000, logger: quiet });
  await consumer.startup();
  try {
    let received = 0;
    let end = 0;
    const start = performance.now();
    const loop = async () => {
      while (received < count) {
        const batch = await consumer.receive(32, 60_000);
        received += batch.length;
        if (ack) await Promise.all(batch.map((m) => consumer.ack(m)));
        // The other loops' last receives wait out the long poll: the clock stops at the last ack.
        if (received >= count && end === 0) end = performance.now();
      }
    };
    await Promise.all(Array.from({ length: parallel }, loop));
    if (received !== count) throw new Error(`group ${group} received ${received} messages, expected ${count}: the filter is wrong`);
    return count / ((end - start) / 1000);
  } finally {
    await consumer.shutdown();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await filterThroughput({ memory: process.argv.includes('--memory'), ack: process.argv.includes('--ack') });
  console.log(JSON.stringify(result));
}
