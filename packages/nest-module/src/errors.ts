/** Base class of the errors `@txmq/nest` raises itself; `code` tells them apart. */
export class TxmqNestError extends Error {
  readonly code: TxmqNestErrorCode;

  constructor(code: TxmqNestErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TxmqNestError';
    this.code = code;
  }
}

/** The codes of {@link TxmqNestError}. */
export type TxmqNestErrorCode =
  | 'TRANSACTION_NOT_ACTIVE'
  | 'TRANSACTION_ALREADY_ACTIVE'
  | 'NO_TRANSACTION_HOST'
  | 'NON_RETRYABLE'
  | 'REQUEST_RESPONSE_UNSUPPORTED'
  | 'TRANSACTION_ABORTED'
  | 'NOT_CONSUMED';

/**
 * A method that needs an active transaction (`propagation: 'mandatory'`, `TransactionHost.afterCommit`)
 * was called outside one.
 */
export class TransactionNotActiveError extends TxmqNestError {
  /** @param why - what the transaction is needed for, as the message says it. */
  constructor(method: string, why = "(propagation 'mandatory')") {
    super('TRANSACTION_NOT_ACTIVE', `${method} requires an active transaction ${why}, but none is active`);
    this.name = 'TransactionNotActiveError';
  }
}

/** A method with `propagation: 'never'` was called inside a transaction. */
export class TransactionAlreadyActiveError extends TxmqNestError {
  constructor(method: string) {
    super('TRANSACTION_ALREADY_ACTIVE', `${method} must not run in a transaction (propagation 'never'), but one is active`);
    this.name = 'TransactionAlreadyActiveError';
  }
}

/** A `@Transactional()` method ran where no `TxmqModule` could be found for it. */
export class NoTransactionHostError extends TxmqNestError {
  constructor(method: string, problem: string) {
    super('NO_TRANSACTION_HOST', `@Transactional() ${method}: ${problem}`);
    this.name = 'NoTransactionHostError';
  }
}

/**
 * Thrown by an `@OnMessage` handler: the message cannot be processed however often it is
 * redelivered, so it goes to the group's dead-letter topic (`%DLQ%<group>`) at once. The
 * handler's transaction rolls back as for any other error.
 */
export class NonRetryableError extends TxmqNestError {
  constructor(message: string, options?: ErrorOptions) {
    super('NON_RETRYABLE', message, options);
    this.name = 'NonRetryableError';
  }
}

/**
 * A transaction with after-commit work (a half message sent in it, a `TransactionHost.afterCommit`
 * callback) cannot commit: a statement in it failed and its error was caught, so Postgres has
 * aborted the whole transaction (a COMMIT would silently roll it back). The transaction is rolled
 * back and the after-rollback work runs; `cause` is the database's error.
 */
export class TransactionAbortedError extends TxmqNestError {
  constructor(options?: ErrorOptions) {
    super(
      'TRANSACTION_ABORTED',
      'the transaction cannot commit: a statement in it failed and the error was caught, so the database aborted it; it was rolled back',
      options,
    );
    this.name = 'TransactionAbortedError';
  }
}
