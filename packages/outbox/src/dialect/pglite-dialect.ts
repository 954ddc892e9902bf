import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';
import { OutboxUnsupportedError } from '../errors.js';

/** The part of a PGlite instance the dialect needs (`@electric-sql/pglite` ≥ 0.2). */
export interface PgliteLike {
  query<R>(query: string, params?: unknown[], options?: { rowMode?: 'object' }): Promise<{ rows: R[]; affectedRows?: number }>;
  close?(): Promise<void>;
}

/**
 * A Kysely dialect for an embedded PGlite database, for zero-setup development and tests.
 * PGlite is a single connection, so queries and transactions are serialized.
 *
 * @example
 * ```ts
 * import { PGlite } from '@electric-sql/pglite';
 * const pglite = new PGlite();
 * const db = new Kysely<any>({ dialect: createPgliteDialect(pglite) });
 * ```
 */
export function createPgliteDialect(pglite: PgliteLike, options: { closeOnDestroy?: boolean } = {}): Dialect {
  return {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new PgliteDriver(pglite, options.closeOnDestroy ?? false),
    createIntrospector: (db: Kysely<any>) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  };
}

class PgliteDriver implements Driver {
  readonly #connection: PgliteConnection;
  readonly #closeOnDestroy: boolean;
  #queue: Promise<void> = Promise.resolve();

  constructor(pglite: PgliteLike, closeOnDestroy: boolean) {
    this.#connection = new PgliteConnection(pglite);
    this.#closeOnDestroy = closeOnDestroy;
  }

  async init(): Promise<void> {}

  /** Hands out the single connection to one user at a time. */
  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#queue;
    let release!: () => void;
    this.#queue = new Promise<void>((resolve) => (release = resolve));
    await previous;
    this.#connection.release = release;
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    this.#connection.release();
  }

  async destroy(): Promise<void> {
    if (this.#closeOnDestroy) await this.#connection.pglite.close?.();
  }
}

class PgliteConnection implements DatabaseConnection {
  readonly pglite: PgliteLike;
  release: () => void = () => undefined;

  constructor(pglite: PgliteLike) {
    this.pglite = pglite;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.pglite.query<R>(compiledQuery.sql, [...compiledQuery.parameters], { rowMode: 'object' });
    const kind = compiledQuery.query.kind;
    const modifies =
      kind === 'InsertQueryNode' || kind === 'UpdateQueryNode' || kind === 'DeleteQueryNode' || kind === 'MergeQueryNode';
    return modifies || kind === 'RawNode'
      ? { rows: result.rows, numAffectedRows: BigInt(result.affectedRows ?? 0) }
      : { rows: result.rows };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new OutboxUnsupportedError('streaming queries are not supported by the PGlite dialect');
  }
}
