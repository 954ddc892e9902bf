import { sql, type Kysely } from 'kysely';

const SWEEP_BATCH = 1_000;

/**
 * Deletes sent rows older than `retentionMs`, in bounded batches so no statement holds many locks
 * or runs long. Rows another sweeper is deleting are skipped. Returns how many rows it deleted.
 */
export async function sweepSent(db: Kysely<any>, schema: string, retentionMs: number): Promise<number> {
  const outbox = sql.table(`${schema}.outbox`);
  let total = 0;
  for (;;) {
    const result = await sql`
      delete from ${outbox} where id in (
        select id from ${outbox}
        where status = 'sent' and sent_at < now() - ${retentionMs} * interval '1 millisecond'
        limit ${SWEEP_BATCH}
        for update skip locked
      )`.execute(db);
    const deleted = Number(result.numAffectedRows ?? 0n);
    total += deleted;
    if (deleted < SWEEP_BATCH) return total;
  }
}
