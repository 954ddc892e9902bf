import { deferred } from './peer.js';

/** What {@link receiveLoops} needs of a simple consumer. */
export interface Receiver<M> {
  receive(max: number): Promise<M[]>;
  ack(message: M): Promise<unknown>;
}

/**
 * Consumes `count` messages with `loops` receive loops, each receiving up to `batch` at a time and
 * acknowledging every message on its own before it receives again. Resolves when the `count`-th
 * message is acknowledged; `drained` resolves once every loop has returned (a loop in a long poll
 * returns when that poll ends).
 */
export function receiveLoops<M>(consumer: Receiver<M>, count: number, loops: number, batch: number): { done: Promise<void>; drained: Promise<void> } {
  let received = 0;
  let acked = 0;
  const done = deferred();
  const drained = Promise.all(Array.from({ length: loops }, async () => {
    while (received < count) {
      const messages = await consumer.receive(batch);
      received += messages.length;
      await Promise.all(messages.map(async (m) => {
        await consumer.ack(m);
        if (++acked === count) done.resolve();
      }));
    }
  })).then(() => undefined);
  // A loop that fails ends the measurement instead of hanging it.
  return { done: Promise.race([done.promise, drained.then(() => {
    if (acked < count) throw new Error(`receive loops ended after ${acked} of ${count} messages`);
  })]), drained };
}
