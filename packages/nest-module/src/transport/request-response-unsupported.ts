import { TxmqNestError } from '../errors.js';

/**
 * `TxmqClient.send` or a `@MessagePattern` handler on `TxmqServer`: a message broker transport
 * carries events only; there is no reply channel.
 */
export class RequestResponseUnsupportedError extends TxmqNestError {
  constructor(what: string) {
    super(
      'REQUEST_RESPONSE_UNSUPPORTED',
      `${what}: request-response is not supported by the txmq transport (a message broker carries events, not replies); use emit() and @EventPattern()`,
    );
    this.name = 'RequestResponseUnsupportedError';
  }
}
