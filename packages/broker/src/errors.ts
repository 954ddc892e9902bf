import { STATUS_CODES, statusName, type StatusName } from './status-codes.js';

/**
 * Every condition `@txmq/broker` (server and client) reports with its own error class. A RocketMQ
 * status name (e.g. `ILLEGAL_MESSAGE_TAG`) says why the broker refused a request; the others are
 * the client's and the configuration's own.
 */
export type BrokerErrorCode =
  | Exclude<StatusName, 'OK' | 'MULTIPLE_RESULTS'>
  /** A configuration is invalid: the broker's (file, object or CLI flag) or a client's options. */
  | 'INVALID_CONFIG'
  /** The broker cannot listen: another process already uses its host and port. */
  | 'ADDRESS_IN_USE'
  /** Nothing answered at the endpoint: connection refused or lost, or no route to it. */
  | 'BROKER_UNREACHABLE'
  /** The broker was reached but did not answer before the client's deadline. */
  | 'BROKER_TIMEOUT'
  /** The client was used after `close()`. */
  | 'CLIENT_CLOSED';

/** Base class of every error `@txmq/broker` throws; `code` is stable and machine-readable. */
export class BrokerError extends Error {
  override readonly name: string = 'BrokerError';
  constructor(
    readonly code: BrokerErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /** The numeric RocketMQ status of {@link code}, or undefined for a client-side code. */
  get status(): number | undefined {
    return (STATUS_CODES as Record<string, number>)[this.code];
  }
}

/** The request named something that does not pass validation (topic, group, tag, property, time...). */
export class InvalidRequestError extends BrokerError {
  override readonly name: string = 'InvalidRequestError';
}

/** The topic, group, transaction or receipt handle the request names does not exist (any more). */
export class NotFoundError extends BrokerError {
  override readonly name: string = 'NotFoundError';
}

/** A broker configuration or a client's options are invalid; the message names the offending key or option. */
export class ConfigError extends BrokerError {
  override readonly name: string = 'ConfigError';
  constructor(message: string, options?: ErrorOptions) {
    super('INVALID_CONFIG', message, options);
  }
}

/** The broker could not be reached at `endpoint` (nothing listening, wrong address, network down). */
export class BrokerUnreachableError extends BrokerError {
  override readonly name: string = 'BrokerUnreachableError';
  constructor(
    readonly endpoint: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super('BROKER_UNREACHABLE', `cannot reach the broker at ${endpoint}: ${reason}`, options);
  }
}

/** The broker at `endpoint` was reached but did not answer in time. */
export class BrokerTimeoutError extends BrokerError {
  override readonly name: string = 'BrokerTimeoutError';
  constructor(
    readonly endpoint: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super('BROKER_TIMEOUT', `the broker at ${endpoint} did not answer in time: ${reason}`, options);
  }
}

/**
 * The broker answered and refused the request with a RocketMQ status. `code` is the status name
 * when it is a known one (`BAD_REQUEST` otherwise); `status` is always the number it sent.
 */
export class BrokerRefusedError extends BrokerError {
  override readonly name: string = 'BrokerRefusedError';
  readonly #status: number;
  constructor(status: number, message: string, options?: ErrorOptions) {
    super(refusalCode(status), message, options);
    this.#status = status;
  }

  override get status(): number {
    return this.#status;
  }

  /**
   * Whether sending the same request again can succeed. False when the broker refused the message
   * or request itself (4xxxx: bad topic, tag, key, property, body size...), except for statuses that
   * can change without the request changing: a missing topic or group (it may be created),
   * throttling, a failed precondition and a request timeout.
   */
  get retryable(): boolean {
    const s = this.#status;
    if (s < 40000 || s >= 50000) return true;
    return (s >= 40400 && s < 40500) || s === 40800 || s === 42800 || (s >= 42900 && s < 43000);
  }
}

/** A client was used after it was closed. */
export class ClientClosedError extends BrokerError {
  override readonly name: string = 'ClientClosedError';
  constructor(what: string) {
    super('CLIENT_CLOSED', `${what} was called after close()`);
  }
}

function refusalCode(status: number): BrokerErrorCode {
  const name = statusName(status);
  return name === undefined || name === 'OK' || name === 'MULTIPLE_RESULTS' ? 'BAD_REQUEST' : name;
}

/** Whether `error` is a {@link BrokerError} (optionally with the given code). */
export function isBrokerError(error: unknown, code?: BrokerErrorCode): error is BrokerError {
  return error instanceof BrokerError && (code === undefined || error.code === code);
}
