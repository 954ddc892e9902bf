import { createProducer, createSimpleConsumer } from '@txmq/broker/client';
import { startBrokerProcess } from '../broker-process.js';
import { benchLogger, producerOptions } from '../peers/client-options.js';
import { pool } from '../peers/peer.js';
import { receiveLoops } from '../peers/simple-loops.js';
import { deadline } from '../profile.js';
import { perSecond } from '../report/stats.js';
import { kib, type Part } from './part.js';

const MB = 1024 * 1024;

/**
 * One broker process: `backlogConsume` messages published and consumed (the empty-broker rate),
 * then `backlog` messages published and left unconsumed, the broker's RSS read, and
 * `backlogConsume` of them consumed (the rate from the backlog). Typed client throughout.
 */
export const backlogPart: Part = {
  name: 'backlog',
  async run({ profile, results, log }) {
    const broker = await startBrokerProcess();
    const topic = 'bench-backlog';
    const producer = createProducer(producerOptions(broker.endpoint, [topic], profile));
    const consumer = createSimpleConsumer({ endpoints: broker.endpoint, group: 'bench-backlog', subscriptions: { [topic]: '*' }, awaitMs: 2_000, logger: benchLogger });
    const body = kib();
    const consume = async (count: number) => {
      const loops = receiveLoops(consumer, count, profile.receiveLoops, profile.receiveBatch);
      const start = performance.now();
      await loops.done;
      const rate = perSecond(count, performance.now() - start);
      await loops.drained;
      return rate;
    };
    try {
      await producer.start();
      await consumer.start();
      const empty = await broker.rssBytes();
      // Warm-up, so that the empty broker's figure is not its first (cold) run.
      await pool(profile.warmup, profile.inFlight, () => producer.send({ topic, body }));
      await consume(profile.warmup);
      await pool(profile.backlogConsume, profile.inFlight, () => producer.send({ topic, body }));
      const fromEmpty = await consume(profile.backlogConsume);
      const start = performance.now();
      const backlog = await pool(profile.backlog, profile.inFlight, () => producer.send({ topic, body }), deadline(profile.backlogSeconds));
      const fill = perSecond(backlog, performance.now() - start);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const stored = await broker.rssBytes();
      const taken = Math.min(profile.backlogConsume, backlog);
      const fromBacklog = await consume(taken);
      const n = backlog.toLocaleString('en-US');
      if (backlog < profile.backlog) results.note('rss_backlog_mb', `filling stopped at the ${profile.backlogSeconds} s cap: ${n} of ${profile.backlog.toLocaleString('en-US')} stored`);
      results.set('backlog_stored', 'unconsumed messages stored for the backlog figures', 'messages', 'txmq', backlog);
      results.set('rss_empty_mb', 'broker RSS, empty', 'MB', 'txmq', empty / MB);
      results.set('rss_backlog_mb', `broker RSS, ${n} unconsumed 1 KiB messages stored`, 'MB', 'txmq', stored / MB);
      results.set('consume_empty_msg_s', `consume ${profile.backlogConsume.toLocaleString('en-US')} from an empty broker`, 'msg/s', 'txmq', fromEmpty);
      results.set('consume_backlog_msg_s', `consume ${taken.toLocaleString('en-US')} from the ${n} backlog`, 'msg/s', 'txmq', fromBacklog);
      log(`backlog: RSS ${(empty / MB).toFixed(0)} MB empty, ${(stored / MB).toFixed(0)} MB with ${n} stored (filled at ${fill.toFixed(0)} msg/s); consume ${fromEmpty.toFixed(0)} msg/s from empty, ${fromBacklog.toFixed(0)} msg/s from the backlog`);
    } finally {
      await consumer.close().catch(() => undefined);
      await producer.close().catch(() => undefined);
      await broker.stop();
    }
  },
};
