import { sql, type Kysely } from 'kysely';

/** A parked row, as listed by `outbox.parked()`. */
export interface ParkedMessage {
  readonly id: string;
  readonly messageId: string;
  readonly topic: string;
  readonly messageGroup: string | undefined;
  readonly attempts: number;
  /** The error of the last failed attempt, as the publisher reported it. */
  readonly lastError: string | undefined;
  /** The transport's name for that error (e.g. `ILLEGAL_MESSAGE_TAG`, `MESSAGE_PROPERTY_CONFLICT_WITH_TYPE`), if known. */
  readonly lastErrorCode: string | undefined;
  /** The broker's numeric status for that error (e.g. 40014), when it answered with one. */
  readonly lastErrorStatus: number | undefined;
  readonly createdAt: Date;
}

/** Lists up to `limit` parked rows, oldest first. */
export async function listParked(db: Kysely<any>, schema: string, limit: number): Promise<ParkedMessage[]> {
  const { rows } = await sql<{
    id: string;
    message_id: string;
    topic: string;
    message_group: string | null;
    attempts: number;
    last_error: string | null;
    last_error_code: string | null;
    last_error_status: number | null;
    created_at: Date | string;
  }>`
    select id, message_id, topic, message_group, attempts, last_error, last_error_code, last_error_status, created_at
    from ${sql.table(`${schema}.outbox`)} where status = 'parked' order by id limit ${limit}`.execute(db);
  return rows.map((r) => ({
    id: String(r.id),
    messageId: r.message_id,
    topic: r.topic,
    messageGroup: r.message_group ?? undefined,
    attempts: r.attempts,
    lastError: r.last_error ?? undefined,
    lastErrorCode: r.last_error_code ?? undefined,
    lastErrorStatus: r.last_error_status ?? undefined,
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

/** How many rows are parked (through the partial index of parked rows). */
export async function countParked(db: Kysely<any>, schema: string): Promise<number> {
  const { rows } = await sql<{ n: string | number }>`
    select count(*) as n from ${sql.table(`${schema}.outbox`)} where status = 'parked'`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Like {@link redriveParked}, returning the ids of the rows put back in line (ascending), so a
 * caller can tell which of the ids it named were not parked.
 */
export async function redriveParkedIds(db: Kysely<any>, schema: string, ids: readonly string[] | undefined): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    update ${sql.table(`${schema}.outbox`)}
    set status = 'pending', attempts = 0, available_at = now(), locked_until = null, claim_token = null
    where status = 'parked' ${ids === undefined ? sql`` : sql`and id = any(${ids.map(String)}::bigint[])`}
    returning id`.execute(db);
  return rows.map((r) => String(r.id)).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
}

/** The status (`pending`, `sent`, `parked`) of each of `ids` that exists. */
export async function rowStatuses(db: Kysely<any>, schema: string, ids: readonly string[]): Promise<Map<string, string>> {
  const { rows } = await sql<{ id: string; status: string }>`
    select id, status from ${sql.table(`${schema}.outbox`)} where id = any(${ids.map(String)}::bigint[])`.execute(db);
  return new Map(rows.map((r) => [String(r.id), r.status]));
}
