/**
 * How a `@Transactional()` method or `withTransaction` call relates to a transaction already
 * active when it starts:
 * - `required` (default): join the active transaction, or start one.
 * - `requiresNew`: always start a new transaction on its own connection; the outer one (if any)
 *   is suspended inside, and the two commit or roll back independently.
 * - `mandatory`: join the active transaction; throw `TransactionNotActiveError` without one.
 * - `never`: run without a transaction; throw `TransactionAlreadyActiveError` inside one.
 */
export type Propagation = 'required' | 'requiresNew' | 'mandatory' | 'never';

export const PROPAGATIONS: readonly Propagation[] = ['required', 'requiresNew', 'mandatory', 'never'];

/** Options of `@Transactional()` and `TransactionHost.withTransaction`. */
export interface TransactionalOptions {
  /** Default `required`. */
  readonly propagation?: Propagation;
}
