import type { Outbox } from '@txmq/outbox';
import { sql } from 'kysely';

/** Where the outbox stood when the shutdown began: one snapshot of its ids and of the open transactions. */
export interface OutboxMark {
  /** The highest row id committed then (`'0'` for none). */
  readonly highestId: string;
  /** The snapshot's `xmax` and in-progress list (32-bit xids, as text): what had not committed then. */
  readonly xmax: string;
  readonly open: readonly string[];
}

/** The rows committed after an {@link OutboxMark} and by the end of the drain. */
export interface RowsSince {
  /** Rows with ids above `afterId` and up to `upToId`... */
  readonly afterId: string;
  readonly upToId: string;
  /** ...and these rows at or below `afterId`. */
  readonly earlier: readonly string[];
}

/** Notes where the outbox stands now (one statement, so the ids and the transactions are of one snapshot). */
export async function markOutbox(outbox: Outbox): Promise<OutboxMark> {
  const { rows } = await sql<{ highest: string; xmax: string; open: string[] }>`
    select (select coalesce(max(id), 0) from ${sql.table(`${outbox.schema}.outbox`)})::text as highest,
           pg_snapshot_xmax(pg_current_snapshot())::xid::text as xmax,
           array(select x::xid::text from pg_snapshot_xip(pg_current_snapshot()) as x) as open`.execute(outbox.db);
  const row = rows[0];
  if (row === undefined) throw new Error('reading the outbox mark returned no row');
  return { highestId: row.highest, xmax: row.xmax, open: row.open };
}

/**
 * The rows committed since `mark`, as of now. Ids above the mark's highest one were all drawn
 * after it. An id at or below it can still be new: a transaction open at the mark had drawn it
 * but not committed it (ids are drawn at insert, not at commit). Such a row's `xmin` is a
 * transaction the mark's snapshot did not see committed: one in its in-progress list, or one at
 * or after its `xmax` (`age()` compares xids modulo wraparound). These are listed once here, so
 * that polling {@link rowsLeft} needs only the primary key.
 */
export async function rowsCommittedSince(outbox: Outbox, mark: OutboxMark): Promise<RowsSince> {
  const table = sql.table(`${outbox.schema}.outbox`);
  const { rows } = await sql<{ up_to: string; earlier: string[] }>`
    select (select coalesce(max(id), 0) from ${table})::text as up_to,
           array(select id::text from ${table}
                 where id <= ${mark.highestId}::bigint and status = 'pending'
                   and (xmin::text = any(${mark.open}::text[]) or age(xmin) <= age(${mark.xmax}::xid))) as earlier`.execute(outbox.db);
  const row = rows[0];
  if (row === undefined) throw new Error('reading the outbox returned no row');
  return { afterId: mark.highestId, upToId: row.up_to, earlier: row.earlier };
}

/** Whether `rows` holds no row at all. */
export function isEmpty(rows: RowsSince): boolean {
  return rows.upToId === rows.afterId && rows.earlier.length === 0;
}

/** How many of `rows` are still pending, due and not leased by any relay. */
export async function rowsLeft(outbox: Outbox, rows: RowsSince): Promise<number> {
  const { rows: [row] } = await sql<{ left: number }>`
    select count(*)::int as left from ${sql.table(`${outbox.schema}.outbox`)}
    where ((id > ${rows.afterId}::bigint and id <= ${rows.upToId}::bigint) or id = any(${rows.earlier}::bigint[]))
      and status = 'pending' and available_at <= now() and (locked_until is null or locked_until <= now())`.execute(outbox.db);
  return row?.left ?? 0;
}
