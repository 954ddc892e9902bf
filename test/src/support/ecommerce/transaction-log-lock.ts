import type pg from 'pg';

/** The account service's outbox schema, where the half messages' transaction log is. */
const TABLE = 'account_txmq.transaction_log';

/** A lock a test holds on the transaction log, so the account service's insert into it waits. */
export interface TransactionLogLock {
  /** Sessions waiting for the lock: an insert of a local transaction, or a check-back's fence. */
  waiting(): Promise<number>;
  /** Releases the lock (the waiting inserts go on) and the connection. */
  release(): Promise<void>;
}

/**
 * Takes a SHARE lock on the transaction log in a transaction of its own: reads go on, inserts
 * wait. A `@Transactional` registration with half-message delivery then stops between sending
 * its half message and recording its commit, which is the moment a crash is to be tested at.
 */
export async function lockTransactionLog(db: pg.Pool): Promise<TransactionLogLock> {
  const client = await db.connect();
  await client.query('begin');
  await client.query(`lock table ${TABLE} in share mode`);
  let released = false;
  return {
    async waiting() {
      const { rows } = await db.query<{ count: string }>(
        `select count(*) as count from pg_locks where relation = $1::regclass and not granted`,
        [TABLE],
      );
      return Number(rows[0]!.count);
    },
    async release() {
      if (released) return;
      released = true;
      try {
        await client.query('rollback');
      } finally {
        client.release();
      }
    },
  };
}
