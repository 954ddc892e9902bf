import { TxmqNestError } from '../errors.js';

/**
 * The failure of a delivery whose handler had not finished (or, waiting for `concurrency`, not
 * started) when the shutdown bound passed: the message is not acknowledged, so the broker
 * redelivers it (the inbox recognises it if the handler commits after all).
 */
export class HandlerAbandonedError extends TxmqNestError {
  constructor(handler: string, messageId: string) {
    super('HANDLER_ABANDONED', `${handler}: message ${messageId} had not been handled when shutdownTimeoutMs passed; it is not acknowledged, and the broker redelivers it`);
    this.name = 'HandlerAbandonedError';
  }
}
