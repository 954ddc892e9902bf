import type { ClientLogger, ProducerOptions, PushConsumerOptions } from '@txmq/broker/client';
import type { Profile } from '../profile.js';

/** Info and debug are dropped; warnings and errors go to stderr. */
export const benchLogger: ClientLogger = {
  info: () => undefined,
  debug: () => undefined,
  warn: (...args: unknown[]) => console.error(...args),
  error: (...args: unknown[]) => console.error(...args),
};

/** Producer options of the typed client with the profile's batch caps (a cap of 0 keeps the client's default). */
export function producerOptions(endpoints: string, topics: readonly string[], profile: Profile): ProducerOptions {
  return {
    endpoints,
    topics,
    logger: benchLogger,
    ...(profile.maxBatchMessages > 0 && { maxBatchMessages: profile.maxBatchMessages }),
    ...(profile.maxBatchBytes > 0 && { maxBatchBytes: profile.maxBatchBytes }),
  };
}

/** Push-consumer tuning of the profile (a knob of 0 keeps the client's default). */
export function pushTuning(profile: Profile): Partial<PushConsumerOptions> {
  return {
    ...(profile.pushConcurrency > 0 && { concurrency: profile.pushConcurrency }),
    ...(profile.pushReceiveBatchSize > 0 && { receiveBatchSize: profile.pushReceiveBatchSize }),
    ...(profile.pushParallelReceives > 0 && { parallelReceives: profile.pushParallelReceives }),
  };
}
