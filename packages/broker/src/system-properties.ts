/**
 * The property every committed transactional message carries: its transaction id, as RocketMQ's
 * broker sets it. (Not to be confused with the outbox's own `SENDER_TRANSACTION_ID_PROPERTY`.)
 * A leaf module with no imports, so the client can use it without server code.
 */
export const BROKER_TRANSACTION_ID_PROPERTY = '__transactionId__';
