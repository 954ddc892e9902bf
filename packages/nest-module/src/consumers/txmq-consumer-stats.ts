import { Inject, Injectable } from '@nestjs/common';
import type { ConsumerStats } from './consumer-stats.js';
import { TxmqConsumers } from './txmq-consumers.js';

/**
 * What the `@OnMessage` consumer groups of this process have done since they started, measured
 * on the consumer side: messages in flight, handled and failed, the age of the oldest in flight,
 * and the delivery lag. Inject it to export these numbers (metrics, a status page);
 * `TxmqHealthIndicator` of `@txmq/nest/health` checks them against its thresholds.
 */
@Injectable()
export class TxmqConsumerStats {
  readonly #consumers: TxmqConsumers;

  constructor(@Inject(TxmqConsumers) consumers: TxmqConsumers) {
    this.#consumers = consumers;
  }

  /**
   * One entry per consumer group running in this process, as of the call. Empty before the
   * application has bootstrapped, with the module option `consumers: false`, or without
   * `@OnMessage` handlers.
   */
  stats(): ConsumerStats[] {
    return this.#consumers.stats();
  }
}
