import { sql, type Kysely } from 'kysely';

/** Counts describing the outbox table right now. */
export interface OutboxStats {
  /** Unsent rows, due or not, leased or not. */
  readonly pending: number;
  /** Pending rows whose time has come and that no relay holds right now. */
  readonly due: number;
  /** Pending rows leased by a relay (being published). */
  readonly inFlight: number;
  /** Rows parked after too many failed attempts; see `parked()` and `redrive()`. */
  readonly parked: number;
  /** Published rows still kept for the retention period. */
  readonly sent: number;
  /** Age of the oldest pending row in milliseconds (0 when nothing is pending). */
  readonly oldestPendingAgeMs: number;
}

/** A parked row, as listed by `outbox.parked()`. */
export interface ParkedMessage {
  readonly id: string;
  readonly messageId: string;
  readonly topic: string;
  readonly messageGroup: string | undefined;
  readonly attempts: number;
  readonly lastError: string | undefined;
  readonly createdAt: Date;
}

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

export async function listParked(db: Kysely<any>, schema: string, limit: number): Promise<ParkedMessage[]> {
  const { rows } = await sql<{
    id: string;
    message_id: string;
    topic: string;
    message_group: string | null;
    attempts: number;
    last_error: string | null;
    created_at: Date | string;
  }>`
    select id, message_id, topic, message_group, attempts, last_error, created_at
    from ${sql.table(`${schema}.outbox`)} where status = 'parked' order by id limit ${limit}`.execute(db);
  return rows.map((r) => ({
    id: String(r.id),
    messageId: r.message_id,
    topic: r.topic,
    messageGroup: r.message_group ?? undefined,
    attempts: r.attempts,
    lastError: r.last_error ?? undefined,
    createdAt: new Date(r.created_at),
  }));
}

/** Puts parked rows (all, or those with the given ids) back in line with a fresh attempt budget. */
export async function redriveParked(db: Kysely<any>, schema: string, ids: readonly string[] | undefined): Promise<number> {
  const result = await sql`
    update ${sql.table(`${schema}.outbox`)}
    set status = 'pending', attempts = 0, available_at = now(), locked_until = null, claim_token = null
    where status = 'parked' ${ids === undefined ? sql`` : sql`and id = any(${ids.map(String)}::bigint[])`}`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}
