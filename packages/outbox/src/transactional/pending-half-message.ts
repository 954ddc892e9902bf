import type { HalfMessage } from '@txmq/broker/client';

/**
 * A half message whose local transaction is the caller's (see
 * `TransactionalSender.sendInTransaction`): settle it once that transaction has ended.
 */
export interface PendingHalfMessage {
  /** The message id consumers see as `txmq-message-id` (the inbox dedups on it). */
  readonly messageId: string;
  /** The broker's transaction id of the half message. */
  readonly transactionId: string;
  /**
   * Call after the caller's transaction committed: sends EndTransaction(COMMIT). Resolves
   * `committed` when it reached the broker, `check-back` when it did not (the error goes to
   * `onError`; the broker's check-back reads COMMIT from the transaction log). Never rejects.
   */
  commit(): Promise<'committed' | 'check-back'>;
  /**
   * Call after the caller's transaction rolled back: sends EndTransaction(ROLLBACK). Resolves
   * `rolled-back`, or `check-back` when it did not reach the broker (the error goes to `onError`;
   * the check-back answers ROLLBACK). Never rejects.
   */
  rollback(): Promise<'rolled-back' | 'check-back'>;
}

/** Wraps a half message the sender sent under its own id `messageId`; failures go to `report`. */
export function pendingHalfMessage(half: HalfMessage, messageId: string, report: (error: unknown) => void): PendingHalfMessage {
  const settle = async <R extends string>(end: () => Promise<void>, done: R): Promise<R | 'check-back'> => {
    try {
      await end();
      return done;
    } catch (error) {
      report(error);
      return 'check-back';
    }
  };
  return Object.freeze({
    messageId,
    transactionId: half.transactionId,
    commit: () => settle(() => half.commit(), 'committed'),
    rollback: () => settle(() => half.rollback(), 'rolled-back'),
  });
}
