import { sql, type Kysely, type Transaction } from 'kysely';
import { OutboxStateError, TransactionFencedError } from '../errors.js';

/** The definite answer a check-back gets. */
export type CheckAnswer = 'COMMIT' | 'ROLLBACK';

const UNIQUE_VIOLATION = '23505';
/** SQLSTATE of a lock wait that `lock_timeout` ended. */
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Records, inside the local transaction, that `transactionId` (the half message's
 * `txmq-message-id`) commits, and the message's `topic`. Runs right after the half message is
 * sent (first in `send`'s own transaction), so from then on a concurrent check-back's fence
 * insert on the same key waits for the local transaction to end.
 * @throws TransactionFencedError when a check-back already fenced the transaction.
 */
export async function recordCommit(trx: Transaction<any>, schema: string, transactionId: string, topic?: string): Promise<void> {
  try {
    await sql`
      insert into ${sql.table(`${schema}.transaction_log`)} (transaction_id, state, topic)
      values (${transactionId}, 'committed', ${topic ?? null})`.execute(trx);
  } catch (error) {
    if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) throw new TransactionFencedError(transactionId, { cause: error });
    throw error;
  }
}

/**
 * Which of `transactionIds` have a log row visible in `trx`, in one statement: a row recorded in
 * `trx` and undone by a `rollback to savepoint` is missing.
 * @throws the driver's error (SQLSTATE 25P02) when `trx` is aborted.
 */
export async function recordedIn(trx: Transaction<any>, schema: string, transactionIds: readonly string[]): Promise<Set<string>> {
  const { rows } = await sql<{ transaction_id: string }>`
    select transaction_id from ${sql.table(`${schema}.transaction_log`)}
    where transaction_id = any(${[...transactionIds]}::text[])`.execute(trx);
  return new Set(rows.map((row) => row.transaction_id));
}

/**
 * Answers a check-back with DTM's barrier idea: insert a `rolled_back` row on the same key the
 * local transaction inserts, ignoring a conflict, then read the row.
 *
 * - Local transaction committed: the insert conflicts, the row says `committed` → COMMIT.
 * - Local transaction still running: the insert waits on its uncommitted row, then conflicts
 *   (it committed) or succeeds (it rolled back) — the answer is definite either way. The wait is
 *   bounded by `waitMs` (`lock_timeout` of a short transaction around the insert): a transaction
 *   open longer gets UNKNOWN, and the broker asks again later, so a check-back never holds a pool
 *   connection for long.
 * - Local transaction never reached its insert (process died, or it is slow): the fence row wins
 *   → ROLLBACK, and a late local insert fails, so the transaction cannot commit afterwards.
 *
 * The read runs after the insert's transaction, so it takes a fresh snapshot after the wait.
 */
export async function answerCheck(db: Kysely<any>, schema: string, transactionId: string, waitMs: number): Promise<CheckAnswer | 'UNKNOWN'> {
  const log = sql.table(`${schema}.transaction_log`);
  try {
    await db.transaction().execute(async (trx) => {
      await sql`select set_config('lock_timeout', ${String(waitMs)}, true)`.execute(trx);
      await sql`
        insert into ${log} (transaction_id, state) values (${transactionId}, 'rolled_back')
        on conflict (transaction_id) do nothing`.execute(trx);
    });
  } catch (error) {
    if ((error as { code?: unknown }).code === LOCK_NOT_AVAILABLE) return 'UNKNOWN';
    throw error;
  }
  const { rows } = await sql<{ state: string }>`
    select state from ${log} where transaction_id = ${transactionId}`.execute(db);
  const state = rows[0]?.state;
  if (state === 'committed') return 'COMMIT';
  if (state === 'rolled_back') return 'ROLLBACK';
  throw new OutboxStateError(`transaction log row for ${transactionId} vanished between fence and read (purged too early?)`);
}
