import type { Kysely, Transaction } from 'kysely';
import { OutboxNotInTransactionError } from '../errors.js';

/**
 * Asserts that `trx` is a Kysely transaction. Checked structurally (`isTransaction`) rather than
 * with `instanceof`, so a transaction from another copy of Kysely is accepted too.
 */
export function assertTransaction(trx: unknown, method: string, receiver = 'outbox'): asserts trx is Transaction<any> {
  if (
    trx === null ||
    typeof trx !== 'object' ||
    (trx as Partial<Kysely<any>>).isTransaction !== true
  ) {
    throw new OutboxNotInTransactionError(method, receiver);
  }
}
