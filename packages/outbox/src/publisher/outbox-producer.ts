import { ConfigError, createProducer, type ProducerOptions, type TxmqProducer } from '@txmq/broker/client';
import { InvalidOptionsError } from '../errors.js';

/**
 * Creates the broker producer an outbox factory owns. The client validates its options at once;
 * its `ConfigError` becomes an {@link InvalidOptionsError} naming the option the outbox's caller
 * set, which `outboxNames` maps from the producer's (e.g. the relay's `publishTimeoutMs` is the
 * producer's `requestTimeoutMs`).
 *
 * @throws InvalidOptionsError naming a bad option.
 */
export function createOutboxProducer(options: ProducerOptions, outboxNames: Readonly<Record<string, string>> = {}): TxmqProducer {
  try {
    return createProducer(options);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    if (error.option === undefined || error.problem === undefined) throw new InvalidOptionsError('options', error.message, { cause: error });
    const [name = '', path = ''] = /^([A-Za-z]\w*)(.*)$/s.exec(error.option)?.slice(1) ?? [];
    throw new InvalidOptionsError(`${outboxNames[name] ?? name}${path}`, error.problem, { cause: error });
  }
}
