import type pg from 'pg';

/** A lock a test holds on a table, so the services' inserts into it wait. */
export interface TableLock {
  /** Sessions waiting for the lock (an insert of a service's transaction, or a check-back's fence). */
  waiting(): Promise<number>;
  /** Releases the lock (the waiting inserts go on) and the connection. */
  release(): Promise<void>;
}

/**
 * Takes a SHARE lock on `table` in a transaction of its own: reads go on, inserts wait. On the
 * account service's transaction log (`account_txmq.transaction_log`), a registration with
 * half-message delivery stops between sending its half message and recording its commit; on a
 * consumer's grants table, a handler stops before its grant commits. Those are the moments a
 * crash is to be tested at.
 */
export async function lockTable(db: pg.Pool, table: string): Promise<TableLock> {
  const client = await db.connect();
  await client.query('begin');
  await client.query(`lock table ${table} in share mode`);
  let released = false;
  return {
    async waiting() {
      const { rows } = await db.query<{ count: string }>(
        `select count(*) as count from pg_locks where relation = $1::regclass and not granted`,
        [table],
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
