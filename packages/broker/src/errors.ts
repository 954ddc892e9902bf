import { Code } from './protocol/codes.js';

/** Every failure the broker reports to a caller carries a RocketMQ status code. */
export class BrokerError extends Error {
  override readonly name: string = 'BrokerError';
  constructor(
    readonly code: Code,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The request named something that does not pass validation (topic, group, tag, property, time...). */
export class InvalidRequestError extends BrokerError {
  override readonly name = 'InvalidRequestError';
}

/** The topic, group, transaction or receipt handle the request names does not exist (any more). */
export class NotFoundError extends BrokerError {
  override readonly name = 'NotFoundError';
}

/** The broker configuration is invalid; the message names the offending key. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The broker is shutting down and accepts no new work. */
export class ShuttingDownError extends BrokerError {
  override readonly name = 'ShuttingDownError';
  constructor() {
    super(Code.INTERNAL_SERVER_ERROR, 'the broker is shutting down');
  }
}

/** True when `error` is a {@link BrokerError}. */
export function isBrokerError(error: unknown): error is BrokerError {
  return error instanceof BrokerError;
}
