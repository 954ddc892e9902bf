import { sql, type Kysely } from 'kysely';

/** Counts describing the outbox table right now. */
export interface OutboxStats {
  /** Unsent rows, due or not, leased or not. */
  readonly pending: number;
  /** Pending rows whose time has come and that no relay holds right now. */
  readonly due: number;
  /** Pending rows leased by a relay (being published). */
  readonly inFlight: number;
  /** Rows parked (refused by the broker, or failed `maxAttempts` times); see `parked()` and `redrive()`. */
  readonly parked: number;
  /** Published rows still kept for the retention period. */
  readonly sent: number;
  /** Age of the oldest pending row in milliseconds (0 when nothing is pending). */
  readonly oldestPendingAgeMs: number;
}

/** Counts of the outbox table's rows by state (`outbox.stats()`). */
export async function readStats(db: Kysely<any>, schema: string): Promise<OutboxStats> {
  const { rows } = await sql<Record<string, string | number | null>>`
    select
      count(*) filter (where status = 'pending') as pending,
      count(*) filter (where status = 'pending' and available_at <= now()
                       and (locked_until is null or locked_until <= now())) as due,
      count(*) filter (where status = 'pending' and locked_until > now()) as in_flight,
      count(*) filter (where status = 'parked') as parked,
      count(*) filter (where status = 'sent') as sent,
      coalesce(extract(epoch from now() - min(created_at) filter (where status = 'pending')) * 1000, 0) as oldest
    from ${sql.table(`${schema}.outbox`)}`.execute(db);
  const r = rows[0] ?? {};
  return {
    pending: Number(r.pending ?? 0),
    due: Number(r.due ?? 0),
    inFlight: Number(r.in_flight ?? 0),
    parked: Number(r.parked ?? 0),
    sent: Number(r.sent ?? 0),
    oldestPendingAgeMs: Math.max(0, Math.round(Number(r.oldest ?? 0))),
  };
}
