import { ConfigError, createProducer, type ProducerOptions, type TxmqProducer } from '@txmq/broker/client';
import { InvalidOptionsError } from '../errors.js';

/** `invalid producer option requestTimeoutMs: must be ...`, as the client's `ConfigError` words it. */
const CLIENT_OPTION_PROBLEM = /^invalid producer option ([A-Za-z]\w*)(\S*): (.*)$/s;

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
    const match = CLIENT_OPTION_PROBLEM.exec(error.message);
    if (match === null) throw new InvalidOptionsError('options', error.message, { cause: error });
    const [, name = '', path = '', problem = ''] = match;
    throw new InvalidOptionsError(`${outboxNames[name] ?? name}${path}`, problem, { cause: error });
  }
}
