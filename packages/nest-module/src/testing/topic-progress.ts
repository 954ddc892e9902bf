import { sql, type Kysely } from 'kysely';

/** A message the application sent that a consumer group has not applied yet. */
export interface UnappliedMessage {
  /** Its `txmq-message-id`. */
  readonly messageId: string;
  /** Its outbox row's status (`pending`, `sent`, `parked`), or `half-message` (not in the outbox). */
  readonly status: string;
  /** Why the relay last failed to publish it (outbox rows only). */
  readonly lastError: string | null;
}

/** What the application sent to a topic, and what of it a consumer group has not applied. */
export interface TopicProgress {
  /** Messages sent: the topic's outbox rows and its committed half messages. */
  readonly sent: number;
  /** The ones the group has no inbox record of, oldest first. */
  readonly unapplied: readonly UnappliedMessage[];
}

/**
 * Reads, in one statement, the messages sent to `topic` — outbox rows, and transaction-log rows of
 * half messages whose local transaction committed (their id is the `txmq-message-id`) — and which
 * of them `group` has not applied (no inbox record).
 */
export async function topicProgress(db: Kysely<any>, schema: string, topic: string, group: string): Promise<TopicProgress> {
  const table = (name: string) => sql.table(`${schema}.${name}`);
  const { rows } = await sql<{ sent: number; message_id: string | null; status: string | null; last_error: string | null }>`
    with sent as (
      select o.message_id::text as message_id, o.status, o.last_error, o.created_at, o.id as position
      from ${table('outbox')} as o
      where o.topic = ${topic}
      union all
      select l.transaction_id, 'half-message', null, l.created_at, null
      from ${table('transaction_log')} as l
      where l.topic = ${topic} and l.state = 'committed'
    ), unapplied as (
      select s.* from sent as s
      where not exists (
        select 1 from ${table('inbox')} as i
        where i.consumer_group = ${group} and i.message_id = s.message_id)
    )
    select (select count(*) from sent)::int as sent, u.message_id, u.status, u.last_error
    from (select 1) as one left join unapplied as u on true
    order by u.created_at, u.position`.execute(db);
  return {
    sent: rows[0]?.sent ?? 0,
    unapplied: rows.flatMap((row) => (row.message_id === null ? [] : [{ messageId: row.message_id, status: row.status!, lastError: row.last_error }])),
  };
}
