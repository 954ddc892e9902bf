import type { Logger } from '@nestjs/common';

/** A callback run after a transaction ended. */
export type TransactionCallback = () => unknown;

/**
 * The callbacks registered on one outermost transaction (joined `required` calls share it), and
 * whether its body failed. Runs them once the transaction has ended: the after-commit ones when it
 * committed, the after-rollback ones when it rolled back because its body threw.
 */
export class TransactionCallbacks {
  readonly #afterCommit: TransactionCallback[] = [];
  readonly #afterRollback: TransactionCallback[] = [];
  /** The body threw (or could not commit), so the transaction rolled back and never sent COMMIT. */
  bodyFailed = false;
  /** The body has finished: a callback registered now (by work it left running) would be missed. */
  closed = false;

  afterCommit(fn: TransactionCallback): void {
    this.#afterCommit.push(fn);
  }

  afterRollback(fn: TransactionCallback): void {
    this.#afterRollback.push(fn);
  }

  /** Whether callbacks wait for `outcome` (after-commit ones: then the host makes sure COMMIT can commit). */
  has(outcome: 'commit' | 'rollback'): boolean {
    return (outcome === 'commit' ? this.#afterCommit : this.#afterRollback).length > 0;
  }

  /**
   * Runs the callbacks of `outcome` concurrently and waits for all of them; a callback that throws
   * or rejects is logged, never rethrown: the transaction's outcome is already final.
   */
  async run(outcome: 'commit' | 'rollback', log: Logger): Promise<void> {
    const callbacks = outcome === 'commit' ? this.#afterCommit : this.#afterRollback;
    const results = await Promise.allSettled(callbacks.map(async (fn) => fn()));
    for (const result of results) {
      if (result.status === 'fulfilled') continue;
      const error: unknown = result.reason;
      log.error(`an after-${outcome} callback failed: ${String(error)}`, error instanceof Error ? error.stack : undefined);
    }
  }
}
