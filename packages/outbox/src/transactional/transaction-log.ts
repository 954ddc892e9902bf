import { sql, type Kysely, type Transaction } from 'kysely';
import { OutboxStateError, TransactionFencedError } from '../errors.js';

/** The definite answer a check-back gets. */
export type CheckAnswer = 'COMMIT' | 'ROLLBACK';

const UNIQUE_VIOLATION = '23505';

/**
 * Records, inside the local transaction, that `transactionId` commits. Runs right after the half
 * message is sent (first in `send`'s own transaction), so from then on a concurrent check-back's
 * fence insert on the same key waits for the local transaction to end.
 * @throws TransactionFencedError when a check-back already fenced the transaction.
 */
export async function recordCommit(trx: Transaction<any>, schema: string, transactionId: string): Promise<void> {
  try {
    await sql`
      insert into ${sql.table(`${schema}.transaction_log`)} (transaction_id, state)
      values (${transactionId}, 'committed')`.execute(trx);
  } catch (error) {
    if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) throw new TransactionFencedError(transactionId, { cause: error });
    throw error;
  }
}

/**
 * Answers a check-back with DTM's barrier idea: insert a `rolled_back` row on the same key the
 * local transaction inserts, ignoring a conflict, then read the row.
 *
 * - Local transaction committed: the insert conflicts, the row says `committed` → COMMIT.
 * - Local transaction still running: the insert waits on its uncommitted row, then conflicts
 *   (it committed) or succeeds (it rolled back) — the answer is definite either way.
 * - Local transaction never reached its insert (process died, or it is slow): the fence row wins
 *   → ROLLBACK, and a late local insert fails, so the transaction cannot commit afterwards.
 *
 * The two statements run separately so the read takes a fresh snapshot after the insert waited.
 */
export async function answerCheck(db: Kysely<any>, schema: string, transactionId: string): Promise<CheckAnswer> {
  const log = sql.table(`${schema}.transaction_log`);
  await sql`
    insert into ${log} (transaction_id, state) values (${transactionId}, 'rolled_back')
    on conflict (transaction_id) do nothing`.execute(db);
  const { rows } = await sql<{ state: string }>`
    select state from ${log} where transaction_id = ${transactionId}`.execute(db);
  const state = rows[0]?.state;
  if (state === 'committed') return 'COMMIT';
  if (state === 'rolled_back') return 'ROLLBACK';
  throw new OutboxStateError(`transaction log row for ${transactionId} vanished between fence and read (purged too early?)`);
}
