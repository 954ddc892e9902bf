import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@nestjs/common';
import { sql, type Kysely, type Transaction } from 'kysely';
import { TransactionAbortedError, TransactionAlreadyActiveError, TransactionNotActiveError } from '../errors.js';
import { PROPAGATIONS, type Propagation, type TransactionalOptions } from './propagation.js';
import { TransactionCallbacks, type TransactionCallback } from './transaction-callbacks.js';
import { TransactionSends, type TransactionOutcome } from './transaction-sends.js';

/**
 * What the host keeps per async context: the transaction, and the callbacks and sends of its
 * outermost transaction; or `tx: undefined` where none is active (the callbacks run there).
 */
interface Frame<DB> {
  readonly tx: Transaction<DB> | undefined;
  readonly callbacks?: TransactionCallbacks;
  readonly sends?: TransactionSends;
}

/** The frame of an outermost transaction's body. */
interface Outermost<DB> extends Frame<DB> {
  readonly tx: Transaction<DB>;
  readonly callbacks: TransactionCallbacks;
  readonly sends: TransactionSends;
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
   * @throws TransactionNotActiveError outside a transaction, or once the transaction's body has
   *   finished (from work it left running).
   */
  afterRollback(fn: TransactionCallback): void {
    this.#callbacks('afterRollback', fn).afterRollback(fn);
  }

  /**
   * @internal Starts `send` as a send of the active transaction: the end of the outermost
   * transaction's body waits for it before committing or rolling back, so a send the body left
   * running (in a `Promise.all` whose other branch threw) cannot finish outside the transaction.
   * @throws TransactionNotActiveError outside a transaction, or once its body has ended.
   */
  enlist<T>(caller: string, send: (sends: TransactionSends) => Promise<T>): Promise<T> {
    const frame = this.#storage.getStore();
    if (frame?.sends === undefined || frame.callbacks === undefined) return Promise.reject(new TransactionNotActiveError(caller, 'to send in it'));
    if (frame.callbacks.closed) return Promise.reject(new TransactionNotActiveError(caller, 'to send in it (the transaction it was called in has ended)'));
    return frame.sends.track(send(frame.sends));
  }

  /**
   * @internal Runs `open`, which begins a transaction of its own (the inbox's) and runs
   * `enter(trx, fn)` in it: `fn` runs with `trx` as the outermost active transaction, and the
   * after-commit or after-rollback callbacks registered in it run once `open` settled.
   */
  adopt<R>(open: (enter: <T>(tx: Transaction<DB>, fn: () => Promise<T>) => Promise<T>) => Promise<R>): Promise<R> {
    const callbacks = new TransactionCallbacks();
    const sends = new TransactionSends();
    return this.#finish(callbacks, sends, (async () => open((tx, fn) => this.#body({ tx, callbacks, sends }, fn)))());
  }

  #begin<T>(fn: () => Promise<T>): Promise<T> {
    const callbacks = new TransactionCallbacks();
    const sends = new TransactionSends();
    return this.#finish(callbacks, sends, this.#db.transaction().execute((tx) => this.#body({ tx, callbacks, sends }, fn)));
  }

  /** Runs `fn` as the body of the outermost transaction `frame.tx`. */
  async #body<T>(frame: Outermost<DB>, fn: () => Promise<T>): Promise<T> {
    const { tx, callbacks, sends } = frame;
    try {
      let value: T;
      try {
        value = await this.#storage.run(frame, fn);
      } finally {
        // Before COMMIT, and before the ROLLBACK a throw leads to.
        if (sends.inFlight) await sends.settled();
        callbacks.closed = true;
      }
      if (sends.checksCommit) await assertCanCommit(() => sends.check(tx));
      else if (callbacks.has('commit')) await assertCanCommit(() => sql`select 1`.execute(tx));
      return value;
    } catch (error) {
      callbacks.bodyFailed = true;
      throw error;
    }
  }

  /** Waits for the transaction, then runs the callbacks and settles the sends its outcome calls for. */
  async #finish<T>(callbacks: TransactionCallbacks, sends: TransactionSends, transaction: Promise<T>): Promise<T> {
    let value: T;
    try {
      value = await transaction;
    } catch (error) {
      // The body threw: no COMMIT was sent, the transaction is rolled back. Otherwise COMMIT (or
      // BEGIN) failed and the outcome is unknown: run no callback.
      await this.#afterEnd(callbacks, sends, callbacks.bodyFailed ? 'rollback' : 'unknown');
      throw error;
    }
    await this.#afterEnd(callbacks, sends, 'commit');
    return value;
  }

  async #afterEnd(callbacks: TransactionCallbacks, sends: TransactionSends, outcome: TransactionOutcome): Promise<void> {
    const work: (() => Promise<void>)[] = [];
    if (outcome !== 'unknown' && callbacks.has(outcome)) work.push(() => callbacks.run(outcome, this.#log));
    if (sends.has(outcome)) work.push(() => sends.settle(outcome));
    if (work.length > 0) await this.#storage.run(NO_TRANSACTION, () => Promise.all(work.map((run) => run())));
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
 * ROLLBACK, which Kysely reports as a commit. Before a commit that callbacks or half messages rely
 * on, one `statement` in the transaction tells the two apart (with half messages, the one that
 * reads their records).
 * @throws TransactionAbortedError when the transaction can only roll back.
 */
async function assertCanCommit(statement: () => Promise<unknown>): Promise<void> {
  try {
    await statement();
  } catch (error) {
    if ((error as { code?: unknown }).code === IN_FAILED_TRANSACTION) throw new TransactionAbortedError({ cause: error });
    throw error;
  }
}
