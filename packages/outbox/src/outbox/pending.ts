import { sql, type Kysely } from 'kysely';

/** How much is waiting to be published. */
export interface PendingSummary {
  /** Unsent, unparked rows (due or not, leased or not). */
  readonly rows: number;
  /** Age of the oldest of them, in milliseconds (0 when none). */
  readonly oldestAgeMs: number;
}

/**
 * Counts pending rows and finds the oldest one's age. Unlike `readStats`, which reads every row
 * (retained sent rows included), this reads only pending rows, through the two partial indexes
 * claiming uses (ungrouped pending rows, grouped unsent rows), so its cost follows the backlog.
 */
export async function readPending(db: Kysely<any>, schema: string): Promise<PendingSummary> {
  const outbox = sql.table(`${schema}.outbox`);
  const { rows } = await sql<{ pending: string | number | null; oldest: string | number | null }>`
    select coalesce(sum(n), 0) as pending,
           coalesce(extract(epoch from now() - min(oldest)) * 1000, 0) as oldest
    from (
      select count(*) as n, min(created_at) as oldest from ${outbox} where status = 'pending' and message_group is null
      union all
      select count(*), min(created_at) from ${outbox} where status = 'pending' and message_group is not null
    ) p`.execute(db);
  const r = rows[0];
  return { rows: Number(r?.pending ?? 0), oldestAgeMs: Math.max(0, Math.round(Number(r?.oldest ?? 0))) };
}
