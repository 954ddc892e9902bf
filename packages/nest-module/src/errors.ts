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
  | 'HANDLER_ABANDONED'
  | 'REQUEST_RESPONSE_UNSUPPORTED';

/** A method with `propagation: 'mandatory'` was called outside a transaction. */
export class TransactionNotActiveError extends TxmqNestError {
  constructor(method: string) {
    super('TRANSACTION_NOT_ACTIVE', `${method} requires an active transaction (propagation 'mandatory'), but none is active`);
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
