import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@nestjs/common';
import { sql, type Kysely, type Transaction } from 'kysely';
import { TransactionAbortedError, TransactionAlreadyActiveError, TransactionNotActiveError } from '../errors.js';
import { PROPAGATIONS, type Propagation, type TransactionalOptions } from './propagation.js';
import { TransactionCallbacks, type TransactionCallback } from './transaction-callbacks.js';

/**
 * What the host keeps per async context: the transaction and the callbacks of its outermost
 * transaction, or `tx: undefined` where none is active (the callbacks run there).
 */
interface Frame<DB> {
  readonly tx: Transaction<DB> | undefined;
  readonly callbacks?: TransactionCallbacks;
}

/** SQLSTATE of a statement sent in a transaction an earlier error aborted. */
const IN_FAILED_TRANSACTION = '25P02';

/** Where the callbacks run: outside any transaction. */
const NO_TRANSACTION: Frame<any> = Object.freeze({ tx: undefined });

/**
 * The ambient Kysely transaction of one `TxmqModule`, carried by `AsyncLocalStorage` so it
 * follows the call through `await`s without being passed around. Inject it (it is exported by
 * `TxmqModule`) and write through `tx`: inside a transaction that is the transaction, outside
 * one the module's plain `db`.
 *
 * @typeParam DB - the application's Kysely database type.
 */
export class TransactionHost<DB = any> {
  readonly #db: Kysely<DB>;
  readonly #storage = new AsyncLocalStorage<Frame<DB>>();
  readonly #log = new Logger('TransactionHost');

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  /** The module's Kysely instance, never a transaction. */
  get db(): Kysely<DB> {
    return this.#db;
  }

  /** The active transaction, or the plain `db` outside one. */
  get tx(): Kysely<DB> {
    return this.#storage.getStore()?.tx ?? this.#db;
  }

  /** Whether a transaction is active in the current async context. */
  isTransactionActive(): boolean {
    return this.#storage.getStore()?.tx !== undefined;
  }

  /**
   * Runs `fn` per `options.propagation` (default `required`: join the active transaction or
   * start one). A transaction this call starts commits when `fn` resolves and rolls back when it
   * throws; the error is rethrown unchanged.
   */
  withTransaction<T>(fn: () => Promise<T>): Promise<T>;
  withTransaction<T>(options: TransactionalOptions, fn: () => Promise<T>): Promise<T>;
  withTransaction<T>(first: TransactionalOptions | (() => Promise<T>), second?: () => Promise<T>): Promise<T> {
    const [options, fn] = typeof first === 'function' ? [{}, first] : [first, second];
    if (typeof fn !== 'function') throw new TypeError('withTransaction: fn must be a function');
    return this.run(options.propagation ?? 'required', fn, 'withTransaction');
  }

  /** @internal Runs `fn` per `propagation`; `caller` names it in errors. */
  async run<T>(propagation: Propagation, fn: () => Promise<T>, caller: string): Promise<T> {
    const active = this.isTransactionActive();
    switch (propagation) {
      case 'required':
        return active ? fn() : this.#begin(fn);
      case 'requiresNew':
        return this.#begin(fn);
      case 'mandatory':
        if (!active) throw new TransactionNotActiveError(caller);
        return fn();
      case 'never':
        if (active) throw new TransactionAlreadyActiveError(caller);
        return fn();
      default:
        throw new TypeError(`${caller}: propagation must be one of ${PROPAGATIONS.join(', ')}, got ${String(propagation)}`);
    }
  }

  /**
   * Runs `fn` after the outermost active transaction commits (for a `required` or `mandatory`
   * call that joined one, after the transaction that call joined; a `requiresNew` transaction is
   * its own). Callbacks run outside any transaction, concurrently, and the call that started the
   * transaction resolves once they have finished; one that throws is logged, never thrown to
   * that caller. A commit that fails runs no callback, nor does a rolled-back transaction.
   * @throws TransactionNotActiveError outside a transaction, or once the transaction's body has
   *   finished (from work it left running).
   */
  afterCommit(fn: TransactionCallback): void {
    this.#callbacks('afterCommit', fn).afterCommit(fn);
  }

  /**
   * Runs `fn` after the outermost active transaction rolls back because its body threw (like
   * {@link afterCommit}, it is logged if it throws). When the COMMIT itself fails, the outcome
   * is unknown to the host and neither kind of callback runs.
   * @throws TransactionNotActiveError outside a transaction.
   */
  afterRollback(fn: TransactionCallback): void {
    this.#callbacks('afterRollback', fn).afterRollback(fn);
  }

  /**
   * @internal Runs `open`, which begins a transaction of its own (the inbox's) and runs
   * `enter(trx, fn)` in it: `fn` runs with `trx` as the outermost active transaction, and the
   * after-commit or after-rollback callbacks registered in it run once `open` settled.
   */
  adopt<R>(open: (enter: <T>(tx: Transaction<DB>, fn: () => Promise<T>) => Promise<T>) => Promise<R>): Promise<R> {
    const callbacks = new TransactionCallbacks();
    return this.#finish(callbacks, (async () => open((tx, fn) => this.#body(tx, callbacks, fn)))());
  }

  #begin<T>(fn: () => Promise<T>): Promise<T> {
    const callbacks = new TransactionCallbacks();
    return this.#finish(callbacks, this.#db.transaction().execute((tx) => this.#body(tx, callbacks, fn)));
  }

  /** Runs `fn` as the body of the outermost transaction `tx`. */
  async #body<T>(tx: Transaction<DB>, callbacks: TransactionCallbacks, fn: () => Promise<T>): Promise<T> {
    try {
      const value = await this.#storage.run({ tx, callbacks }, fn).finally(() => (callbacks.closed = true));
      if (callbacks.has('commit')) await assertCanCommit(tx);
      return value;
    } catch (error) {
      callbacks.bodyFailed = true;
      throw error;
    }
  }

  /** Waits for the transaction, then runs the callbacks its outcome calls for. */
  async #finish<T>(callbacks: TransactionCallbacks, transaction: Promise<T>): Promise<T> {
    let value: T;
    try {
      value = await transaction;
    } catch (error) {
      // The body threw: no COMMIT was sent, the transaction is rolled back. Otherwise COMMIT (or
      // BEGIN) failed and the outcome is unknown: run nothing.
      if (callbacks.bodyFailed) await this.#runCallbacks(callbacks, 'rollback');
      throw error;
    }
    await this.#runCallbacks(callbacks, 'commit');
    return value;
  }

  async #runCallbacks(callbacks: TransactionCallbacks, outcome: 'commit' | 'rollback'): Promise<void> {
    if (callbacks.has(outcome)) await this.#storage.run(NO_TRANSACTION, () => callbacks.run(outcome, this.#log));
  }

  #callbacks(method: string, fn: unknown): TransactionCallbacks {
    if (typeof fn !== 'function') throw new TypeError(`TransactionHost.${method}: fn must be a function`);
    const callbacks = this.#storage.getStore()?.callbacks;
    if (callbacks === undefined) throw new TransactionNotActiveError(`TransactionHost.${method}()`, 'to register a callback');
    if (callbacks.closed) throw new TransactionNotActiveError(`TransactionHost.${method}()`, 'to register a callback (the transaction it was called in has ended)');
    return callbacks;
  }
}

/**
 * Postgres answers COMMIT of a transaction that an earlier (caught) error aborted with a silent
 * ROLLBACK, which Kysely reports as a commit. Before a commit that callbacks rely on, one
 * statement tells the two apart.
 * @throws TransactionAbortedError when the transaction can only roll back.
 */
async function assertCanCommit(tx: Transaction<any>): Promise<void> {
  try {
    await sql`select 1`.execute(tx);
  } catch (error) {
    if ((error as { code?: unknown }).code === IN_FAILED_TRANSACTION) throw new TransactionAbortedError({ cause: error });
    throw error;
  }
}
