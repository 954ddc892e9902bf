import { eventually } from './eventually.js';

/** The parts of a simple consumer (`createSimpleConsumer` of `@txmq/broker/client`) a collector drives. */
export interface ReceivingConsumer<M> {
  receive(max: number, invisibleMs: number): Promise<readonly M[]>;
  ack(message: M): Promise<void>;
  close(): Promise<void>;
}

/** What {@link collectMessages} returns. */
export interface MessageCollector<M> {
  /** Receives once (one long poll), acknowledges what came, and returns everything seen so far. */
  poll(): Promise<M[]>;
  /** Receives until `until` holds, then once more (a duplicate would arrive in that long poll). */
  drain(until: (all: readonly M[]) => boolean): Promise<M[]>;
  close(): Promise<void>;
}

/** Collects and acknowledges what `consumer` receives, for tests that count deliveries. */
export function collectMessages<M>(consumer: ReceivingConsumer<M>): MessageCollector<M> {
  const seen: M[] = [];
  const poll = async () => {
    for (const message of await consumer.receive(16, 10_000)) {
      seen.push(message);
      await consumer.ack(message);
    }
    return seen;
  };
  return {
    poll,
    async drain(until) {
      await eventually('the expected messages', async () => until(await poll()));
      return poll();
    },
    close: () => consumer.close(),
  };
}
