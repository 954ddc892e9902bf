import { randomUUID } from 'node:crypto';
import { CompiledQuery, type Transaction } from 'kysely';
import type { EncodedMessage } from '../message/message.js';

/** What `send` returns for each message. */
export interface SentMessage {
  /** The message id; consumers see it as the `txmq-message-id` property and the inbox dedups on it. */
  readonly messageId: string;
}

/** Settings `insertMessages` needs from the outbox. */
export interface InsertSettings {
  readonly schema: string;
}

/** Each written column: its parameter cast, and the expression written when the message leaves it out. */
const COLUMNS = [
  ['message_id', 'uuid', ''],
  ['topic', 'text', ''],
  ['tag', 'text', 'null::text'],
  ['keys', 'text[]', `'{}'::text[]`],
  ['message_group', 'text', 'null::text'],
  ['headers', 'jsonb', `'{}'::jsonb`],
  ['content_type', 'text', ''],
  ['body', 'bytea', ''],
  ['available_at', 'timestamptz', 'now()'],
] as const;
const COLUMN_LIST = COLUMNS.map(([name]) => name).join(', ');

/**
 * Writes `messages` into the outbox inside the caller's transaction `trx`, in one statement and
 * one round trip.
 *
 * Invariant (per-group FIFO in commit order): before the statement allocates ids, the transaction
 * takes `pg_advisory_xact_lock(hashtext('<schema>.outbox'), hashtext(group))` for every group it
 * writes. A second transaction writing the same group therefore waits until the first one commits
 * or rolls back before it draws its id, so within a group id order equals commit order and the
 * relay can publish a group's rows by ascending id without ever overtaking a row that is still
 * uncommitted. Sequence values alone are not commit order. The locks are a WHERE clause that
 * references no row, which Postgres always runs as a one-time gate before the first row is
 * produced, and so before any `nextval` of the identity. Locks are taken sorted by key so two
 * transactions writing the same groups cannot deadlock each other. Rows without a group take no
 * lock and have no ordering constraint.
 */
export async function insertMessages(
  trx: Transaction<any>,
  settings: InsertSettings,
  messages: readonly EncodedMessage[],
): Promise<SentMessage[]> {
  if (messages.length === 0) return [];
  const sent: SentMessage[] = [];
  const parameters: unknown[] = [];
  const rows: string[] = [];
  for (const m of messages) {
    const messageId = randomUUID();
    sent.push({ messageId });
    const values = [
      messageId,
      m.topic,
      m.tag,
      m.keys.length > 0 ? m.keys : undefined,
      m.messageGroup,
      hasAny(m.headers) ? JSON.stringify(m.headers) : undefined,
      m.contentType,
      m.body,
      m.deliverAt,
    ];
    const row = values.map((value, i) => {
      const [, type, absent] = COLUMNS[i] as (typeof COLUMNS)[number];
      return value === undefined ? absent : `$${parameters.push(value)}::${type}`;
    });
    rows.push(`(${row.join(', ')})`);
  }
  const table = `"${settings.schema}"."outbox"`;
  const groups = [...new Set(messages.flatMap((m) => (m.messageGroup === undefined ? [] : [m.messageGroup])))];
  const text =
    groups.length === 0
      ? `insert into ${table} (${COLUMN_LIST}) values ${rows.join(', ')}`
      : `insert into ${table} (${COLUMN_LIST})
         select * from (values ${rows.join(', ')}) as v
         where (select count(pg_advisory_xact_lock(hashtext($${parameters.push(`${settings.schema}.outbox`)}), k))
                from (select distinct hashtext(g) as k from unnest($${parameters.push(groups)}::text[]) as g order by k) as keys) >= 0`;
  await trx.executeQuery(CompiledQuery.raw(text, parameters));
  return sent;
}

function hasAny(record: Readonly<Record<string, string>>): boolean {
  for (const _ in record) return true;
  return false;
}
