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
  | 'CLIENT_CLOSED'
  /** The broker's store failed to read or write (a disk error, a damaged file). */
  | 'STORE_FAILURE';

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

/**
 * The broker cannot listen: another process uses the host and port of one of its surfaces
 * (`grpc`, the RocketMQ and admin port; `http`, the console and metrics port).
 */
export class AddressInUseError extends BrokerError {
  override readonly name: string = 'AddressInUseError';
  constructor(
    readonly surface: 'grpc' | 'http',
    message: string,
    options?: ErrorOptions,
  ) {
    super('ADDRESS_IN_USE', message, options);
  }
}

/** The broker's durable store could not read or write; `cause` is the underlying I/O error, if any. */
export class StoreError extends BrokerError {
  override readonly name: string = 'StoreError';
  constructor(message: string, options?: ErrorOptions) {
    super('STORE_FAILURE', message, options);
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
  /** The offending option or key (e.g. `requestTimeoutMs`, `subscriptions.orders`), when one is to blame. */
  readonly option: string | undefined;
  /** What is wrong with {@link option}, without the option's name. */
  readonly problem: string | undefined;
  constructor(message: string, options?: ErrorOptions & { readonly option?: string; readonly problem?: string }) {
    super('INVALID_CONFIG', message, options);
    this.option = options?.option;
    this.problem = options?.problem;
  }

  /** A ConfigError for one option of a client (e.g. `producer`): `invalid producer option NAME: PROBLEM`. */
  static forOption(client: string, option: string, problem: string, options?: ErrorOptions): ConfigError {
    return new ConfigError(`invalid ${client} option ${option}: ${problem}`, { ...options, option, problem });
  }
}

/**
 * Why the broker did not accept a caller's credentials (RocketMQ status UNAUTHORIZED, 40100):
 * none were sent, the access key is not configured, the signature does not match the secret,
 * the signed `x-mq-date-time` is too far from the broker's clock, or the headers are malformed.
 */
export type AuthenticationFailure = 'no-credentials' | 'unknown-access-key' | 'bad-signature' | 'clock-skew' | 'malformed';

/** The caller is not who it claims to be, or did not say; the message never contains a secret or signature. */
export class AuthenticationError extends BrokerError {
  override readonly name: string = 'AuthenticationError';
  constructor(
    readonly reason: AuthenticationFailure,
    message: string,
    options?: ErrorOptions,
  ) {
    super('UNAUTHORIZED', message, options);
  }
}

/** The caller is known but lacks `right` on `resource` (RocketMQ status FORBIDDEN, 40300). */
export class PermissionDeniedError extends BrokerError {
  override readonly name: string = 'PermissionDeniedError';
  constructor(
    /** What was refused, e.g. `topic orders`, `group billing`, `the admin service`. */
    readonly resource: string,
    /** The right the caller lacks: `pub`, `sub`, `pub or sub`, or `admin`. */
    readonly right: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super('FORBIDDEN', message, options);
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
   * Whether sending the same request again can succeed. False only when the broker refused the
   * message itself, which no retry changes: its topic, tag, keys, message group, property keys,
   * message id, delivery time or type (40002, 40004-40007, 40009, 40012, 40014), or its size
   * (41300-41302, 43100, 43101). True for everything else, including refusals of the client or the
   * connection (access point, client type or id, authentication 40100, permission 40300), a missing
   * topic or group, throttling, and server failures (5xxxx): they can change without the message
   * changing.
   */
  get retryable(): boolean {
    return !MESSAGE_REFUSALS.has(this.#status);
  }
}

/** The statuses that refuse the message itself (see {@link BrokerRefusedError.retryable}). */
const MESSAGE_REFUSALS: ReadonlySet<number> = new Set([
  STATUS_CODES.ILLEGAL_TOPIC,
  STATUS_CODES.ILLEGAL_MESSAGE_TAG,
  STATUS_CODES.ILLEGAL_MESSAGE_KEY,
  STATUS_CODES.ILLEGAL_MESSAGE_GROUP,
  STATUS_CODES.ILLEGAL_MESSAGE_PROPERTY_KEY,
  STATUS_CODES.ILLEGAL_MESSAGE_ID,
  STATUS_CODES.ILLEGAL_DELIVERY_TIME,
  STATUS_CODES.MESSAGE_PROPERTY_CONFLICT_WITH_TYPE,
  STATUS_CODES.PAYLOAD_TOO_LARGE,
  STATUS_CODES.MESSAGE_BODY_TOO_LARGE,
  STATUS_CODES.MESSAGE_BODY_EMPTY,
  STATUS_CODES.REQUEST_HEADER_FIELDS_TOO_LARGE,
  STATUS_CODES.MESSAGE_PROPERTIES_TOO_LARGE,
]);

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
