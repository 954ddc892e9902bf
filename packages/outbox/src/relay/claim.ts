import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { ContentType } from '../message/message.js';
import type { PublishableMessage } from '../publisher/publisher.js';
import { ASYNC_COMMIT } from './async-commit.js';

/** A row this relay holds a lease on. `token` fences every later update of the row. */
export interface ClaimedRow extends PublishableMessage {
  readonly token: string;
}

export interface ClaimSettings {
  readonly schema: string;
  /** Most rows to claim in total. */
  readonly limit: number;
  /** Most rows of one message group to claim at once (they are then published in order). */
  readonly groupDepth: number;
  readonly leaseMs: number;
}

interface Row {
  id: string | number | bigint;
  message_id: string;
  topic: string;
  tag: string | null;
  keys: string[] | null;
  message_group: string | null;
  headers: Record<string, string> | string | null;
  content_type: string;
  body: Uint8Array;
  created_at: Date | string;
  attempts: number;
}

/**
 * Leases due rows in one short statement and returns them in id order.
 *
 * Invariant (per-group FIFO across relays): a grouped row is claimed only together with every
 * unsent row of its group that has a lower id, or when there is none. `grouped` ranks each
 * group's unsent rows by id from one snapshot and keeps the prefix in which every row is pending,
 * due and unleased; a group whose head is leased by another relay, parked, or not yet due yields
 * nothing, so it never blocks other groups and is never overtaken. Rows are then locked with
 * `FOR UPDATE SKIP LOCKED` (which re-checks the predicate on the newest row version), and
 * `contiguous` drops any locked row whose predecessors in its group were not all locked by this
 * statement — a relay racing us for the same group gets either the whole prefix or nothing.
 * Id order equals commit order within a group because `send` serializes same-group commits.
 *
 * Ungrouped rows have no order constraint and are simply the oldest due rows nobody else holds.
 * `attempts` counts claims, so a row whose publish crashes the relay still reaches the parking
 * limit (its lease just expires).
 */
export async function claimRows(db: Kysely<any>, settings: ClaimSettings): Promise<ClaimedRow[]> {
  const token = randomUUID();
  const outbox = sql.table(`${settings.schema}.outbox`);
  const claimable = sql`status = 'pending' and available_at <= now() and (locked_until is null or locked_until <= now())`;
  const { rows } = await sql<Row>`
    with grouped as (
      select id, message_group, rn from (
        select id, message_group,
               row_number() over w as rn,
               bool_and(${claimable}) over w as ok
        from ${outbox}
        where status <> 'sent' and message_group is not null
        window w as (partition by message_group order by id rows between unbounded preceding and current row)
      ) ranked
      where ok and rn <= ${settings.groupDepth}
    ),
    locked_grouped as (
      select id from ${outbox}
      where id in (select id from grouped) and ${claimable}
      for update skip locked
    ),
    contiguous as (
      select id from (
        select g.id, g.rn, row_number() over (partition by g.message_group order by g.rn) as k
        from grouped g join locked_grouped l on l.id = g.id
      ) c
      where c.rn = c.k
      order by c.rn, c.id
      limit ${settings.limit}
    ),
    ungrouped as (
      select id from ${outbox}
      where message_group is null and ${claimable}
      order by available_at, id
      limit greatest(0, ${settings.limit} - (select count(*) from contiguous))
      for update skip locked
    ),
    picked as (
      select id from contiguous union all select id from ungrouped
    ),
    ${ASYNC_COMMIT}
    update ${outbox} o
    set locked_until = now() + ${settings.leaseMs} * interval '1 millisecond',
        claim_token = ${token}::uuid,
        attempts = o.attempts + 1
    from async_commit
    where o.id = any(array(select id from picked))
    returning o.id, o.message_id, o.topic, o.tag, o.keys, o.message_group, o.headers, o.content_type,
              o.body, o.created_at, o.attempts`.execute(db);
  return rows
    .map((r) => toClaimedRow(r, token))
    .sort((a, b) => compareIds(a.id, b.id));
}

function toClaimedRow(r: Row, token: string): ClaimedRow {
  return {
    id: String(r.id),
    token,
    messageId: r.message_id,
    topic: r.topic,
    tag: r.tag ?? undefined,
    keys: r.keys ?? [],
    messageGroup: r.message_group ?? undefined,
    headers: typeof r.headers === 'string' ? (JSON.parse(r.headers) as Record<string, string>) : (r.headers ?? {}),
    contentType: r.content_type as ContentType,
    body: Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body),
    createdAt: new Date(r.created_at),
    attempt: r.attempts,
  };
}

/** Compares decimal id strings numerically. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
