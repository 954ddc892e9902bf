import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely, Transaction } from 'kysely';
import { TransactionAlreadyActiveError, TransactionNotActiveError } from '../errors.js';
import { PROPAGATIONS, type Propagation, type TransactionalOptions } from './propagation.js';

/** What the host keeps per async context: the transaction, or `undefined` to suspend one. */
interface Frame<DB> {
  readonly tx: Transaction<DB> | undefined;
}

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

  /** @internal Runs `fn` with `tx` (a transaction someone else began) as the active transaction. */
  runIn<T>(tx: Transaction<DB>, fn: () => Promise<T>): Promise<T> {
    return this.#storage.run({ tx }, fn);
  }

  #begin<T>(fn: () => Promise<T>): Promise<T> {
    return this.#db.transaction().execute((tx) => this.#storage.run({ tx }, fn));
  }
}
