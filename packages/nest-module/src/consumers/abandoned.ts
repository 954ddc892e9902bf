/**
 * The failure of a delivery whose handler was still running when the shutdown bound passed: the
 * message is not acknowledged, so the broker redelivers it (the inbox recognises it if the
 * handler commits after all).
 */
export class HandlerAbandonedError extends Error {
  constructor(handler: string) {
    super(`${handler} was still running when shutdownTimeoutMs passed; the message is not acknowledged`);
    this.name = 'HandlerAbandonedError';
  }
}
