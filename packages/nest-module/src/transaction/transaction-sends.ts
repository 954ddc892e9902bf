import type { PendingHalfMessage, TransactionalSender } from '@txmq/outbox';
import type { Transaction } from 'kysely';

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
  /** Half messages whose record a `rollback to savepoint` undid: rolled back whatever the outcome. */
  #undone: readonly PendingHalfMessage[] = [];

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

  /** Whether {@link check} has to run before the COMMIT. */
  get checksCommit(): boolean {
    return this.#sender !== undefined;
  }

  /**
   * Before the COMMIT, in one statement: sets aside the half messages whose record `tx` no longer
   * holds (a `rollback to savepoint` undid it), to roll them back once the transaction has ended.
   * @throws the driver's error (SQLSTATE 25P02) when `tx` is aborted.
   */
  async check(tx: Transaction<any>): Promise<void> {
    if (this.#sender === undefined) return;
    const undone = await this.#sender.unrecorded(tx, this.#halfMessages);
    for (const pending of undone) this.#halfMessages.splice(this.#halfMessages.indexOf(pending), 1);
    this.#undone = undone;
  }

  /** `pending` was recorded in the transaction: it is committed or rolled back with it. */
  add(pending: PendingHalfMessage): void {
    this.#halfMessages.push(pending);
  }

  /** Whether {@link settle} has anything to do after `outcome`. */
  has(outcome: TransactionOutcome): boolean {
    return this.#undone.length > 0 || (outcome !== 'unknown' && this.#halfMessages.length > 0);
  }

  /**
   * Settles the half messages once the transaction has ended: commits them after a commit, rolls
   * them back after a rollback, leaves them to the check-back when the outcome is unknown (it
   * reads the truth from the log). Never rejects.
   */
  async settle(outcome: TransactionOutcome): Promise<void> {
    const settling: Promise<unknown>[] = this.#undone.map((pending) => pending.rollback());
    if (outcome === 'commit') settling.push(...this.#halfMessages.map((pending) => pending.commit()));
    if (outcome === 'rollback') settling.push(...this.#halfMessages.map((pending) => pending.rollback()));
    await Promise.all(settling);
  }
}
