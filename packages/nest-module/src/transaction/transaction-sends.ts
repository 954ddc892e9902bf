import type { PendingHalfMessage, TransactionalSender } from '@txmq/outbox';

/** How an outermost transaction ended, as far as its host knows. */
export type TransactionOutcome = 'commit' | 'rollback' | 'unknown';

/**
 * The sends of one outermost transaction: those still in flight, which the end of its body waits
 * for (a send finishing after the ROLLBACK would write outside the transaction), and the half
 * messages sent in it, checked before its COMMIT and settled once it has ended.
 */
export class TransactionSends {
  readonly #inFlight = new Set<Promise<unknown>>();
  #sender: TransactionalSender | undefined;
  readonly #halfMessages: PendingHalfMessage[] = [];

  /** Tracks `send` until it has settled. */
  track<T>(send: Promise<T>): Promise<T> {
    this.#inFlight.add(send);
    const untrack = () => this.#inFlight.delete(send);
    send.then(untrack, untrack);
    return send;
  }

  /** Whether a send is in flight. */
  get inFlight(): boolean {
    return this.#inFlight.size > 0;
  }

  /** Resolves once no send is in flight, waiting also for sends that start meanwhile; never rejects. */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /**
   * A half message is being sent with `sender`. From now on the COMMIT is checked, even if this
   * send fails: a failed record (a fenced one) leaves the transaction aborted, and the caller may
   * have caught the error.
   */
  sendingHalfMessage(sender: TransactionalSender): void {
    this.#sender = sender;
  }

  /** Whether the COMMIT has to be checked first. */
  get checksCommit(): boolean {
    return this.#sender !== undefined;
  }

  /** `pending` was recorded in the transaction: it is committed or rolled back with it. */
  add(pending: PendingHalfMessage): void {
    this.#halfMessages.push(pending);
  }

  /** Whether {@link settle} has anything to do after `outcome`. */
  has(outcome: TransactionOutcome): boolean {
    return outcome !== 'unknown' && this.#halfMessages.length > 0;
  }

  /**
   * Settles the half messages once the transaction has ended: commits them after a commit, rolls
   * them back after a rollback, leaves them to the check-back when the outcome is unknown (it
   * reads the truth from the log). Never rejects.
   */
  async settle(outcome: TransactionOutcome): Promise<void> {
    if (outcome === 'unknown') return;
    await Promise.all(this.#halfMessages.map((pending) => (outcome === 'commit' ? pending.commit() : pending.rollback())));
  }
}
