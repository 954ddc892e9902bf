/**
 * Typed errors of `@txmq/outbox`. Every error extends {@link OutboxError} and carries a stable
 * `code` that callers can branch on; driver errors are kept as `cause`.
 */

/** Every condition `@txmq/outbox` reports with its own error class. */
export type OutboxErrorCode =
  | 'NOT_IN_TRANSACTION'
  | 'INVALID_MESSAGE'
  | 'INVALID_OPTIONS'
  | 'MIGRATION_FAILED'
  | 'PUBLISH_FAILED'
  | 'TRANSACTION_FENCED'
  | 'STATE'
  | 'UNSUPPORTED';

/** Base class of every error thrown by `@txmq/outbox`. */
export class OutboxError extends Error {
  /** Stable, machine-readable reason. */
  readonly code: OutboxErrorCode;

  constructor(code: OutboxErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OutboxError';
    this.code = code;
  }
}

/** `send`/`sendMany` (or `sendInTransaction`) was called with something that is not a Kysely transaction. */
export class OutboxNotInTransactionError extends OutboxError {
  /** @param receiver - what the method was called on, as the message names it (`outbox`, `sender`). */
  constructor(method: string, receiver = 'outbox') {
    super(
      'NOT_IN_TRANSACTION',
      `${receiver}.${method}() must be called with the caller's Kysely transaction ` +
        `(db.transaction().execute(trx => ${receiver}.${method}(trx, ...))); ` +
        'it got a value that is not a transaction, so the message could not commit or roll back with your writes',
    );
    this.name = 'OutboxNotInTransactionError';
  }
}

/** A message failed validation; `field` names the offending property. */
export class InvalidMessageError extends OutboxError {
  /** Path of the offending property, e.g. `messages[2].topic`. */
  readonly field: string;

  constructor(field: string, problem: string, options?: ErrorOptions) {
    super('INVALID_MESSAGE', `invalid message: ${field} ${problem}`, options);
    this.name = 'InvalidMessageError';
    this.field = field;
  }
}

/** A factory got options it cannot work with; `option` names the offending property. */
export class InvalidOptionsError extends OutboxError {
  /** Name of the offending option. */
  readonly option: string;

  constructor(option: string, problem: string, options?: ErrorOptions) {
    super('INVALID_OPTIONS', `invalid option ${option}: ${problem}`, options);
    this.name = 'InvalidOptionsError';
    this.option = option;
  }
}

/** Applying the schema migrations failed; the failed migration (if any) is named. */
export class MigrationError extends OutboxError {
  constructor(message: string, options?: ErrorOptions) {
    super('MIGRATION_FAILED', message, options);
    this.name = 'MigrationError';
  }
}

/** Options of {@link PublishError}. */
export interface PublishErrorOptions extends ErrorOptions {
  /** Whether retrying the same message later may succeed. */
  readonly retryable: boolean;
  /** An outage: the transport could not be reached, did not answer in time or refused access (implies `retryable`). */
  readonly unavailable?: boolean;
  /**
   * The transport's own name for what went wrong, e.g. a RocketMQ status name such as
   * `ILLEGAL_MESSAGE_TAG`, or `BROKER_UNREACHABLE`. Recorded on the outbox row.
   */
  readonly transportCode?: string;
  /** The broker's numeric status (RocketMQ `Code`), when it answered with one. Recorded on the row. */
  readonly status?: number;
}

/**
 * A publisher could not publish a message. Throw it from a custom {@link Publisher} with
 * `retryable: false` to park the row at once instead of retrying it, or with `unavailable: true`
 * on an outage of the transport.
 */
export class PublishError extends OutboxError {
  /** Whether retrying the same message later may succeed. */
  readonly retryable: boolean;
  /**
   * An outage: the transport could not be reached (connection refused or lost), did not answer in
   * time, or refused access (credentials, endpoint), so the message is not at fault: the relay
   * does not count the attempt towards parking the row and pauses claiming, backing off, until a
   * publish gets through again.
   */
  readonly unavailable: boolean;
  /** The transport's own name for the failure (e.g. `MESSAGE_PROPERTY_CONFLICT_WITH_TYPE`), if known. */
  readonly transportCode: string | undefined;
  /** The broker's numeric status, when it answered with one (e.g. 40014). */
  readonly status: number | undefined;

  constructor(message: string, options: PublishErrorOptions) {
    super('PUBLISH_FAILED', message, options);
    this.name = 'PublishError';
    this.retryable = options.retryable || options.unavailable === true;
    this.unavailable = options.unavailable === true;
    this.transportCode = options.transportCode;
    this.status = options.status;
  }
}

/**
 * The transactional sender's local transaction lost the race against a check-back: the broker
 * already asked, was told "rolled back", and the local transaction was therefore rolled back too.
 */
export class TransactionFencedError extends OutboxError {
  /** The transaction id that was fenced. */
  readonly transactionId: string;

  constructor(transactionId: string, options?: ErrorOptions) {
    super(
      'TRANSACTION_FENCED',
      `transaction ${transactionId} was fenced by a check-back that answered ROLLBACK before the local ` +
        'transaction committed; the local transaction was rolled back and the half message is discarded',
      options,
    );
    this.name = 'TransactionFencedError';
    this.transactionId = transactionId;
  }
}

/** An operation was called in a state that does not allow it (e.g. `start()` after `stop()`). */
export class OutboxStateError extends OutboxError {
  constructor(message: string, options?: ErrorOptions) {
    super('STATE', message, options);
    this.name = 'OutboxStateError';
  }
}

/** An operation the current setup cannot perform (e.g. streaming queries on PGlite). */
export class OutboxUnsupportedError extends OutboxError {
  constructor(message: string, options?: ErrorOptions) {
    super('UNSUPPORTED', message, options);
    this.name = 'OutboxUnsupportedError';
  }
}

/** Whether `error` is an {@link OutboxError} (optionally with the given code). */
export function isOutboxError(error: unknown, code?: OutboxErrorCode): error is OutboxError {
  return error instanceof OutboxError && (code === undefined || error.code === code);
}
