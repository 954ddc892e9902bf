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

const COLUMNS = 'message_id, topic, tag, keys, message_group, headers, content_type, body, available_at';

/**
 * Writes `messages` into the outbox inside the caller's transaction `trx`. One message is one
 * call of the schema's `send_message` function (one round trip, plans cached per connection);
 * several are one multi-row insert, preceded by `lock_message_groups` when they have groups.
 *
 * Invariant (per-group FIFO in commit order): before a row's id is drawn, the transaction holds
 * `pg_advisory_xact_lock(hashtext('<schema>.outbox'), hashtext(group))` for the row's group. A
 * second transaction writing the same group therefore waits until the first one commits or rolls
 * back before it draws its id, so within a group id order equals commit order and the relay can
 * publish a group's rows by ascending id without ever overtaking a row that is still uncommitted.
 * Sequence values alone are not commit order. Rows without a group take no lock and have no
 * ordering constraint. The functions are created by migration `0002_send_functions`.
 */
export async function insertMessages(
  trx: Transaction<any>,
  settings: InsertSettings,
  messages: readonly EncodedMessage[],
): Promise<SentMessage[]> {
  const schema = `"${settings.schema}"`;
  const rows = messages.map((m) => [
    randomUUID(),
    m.topic,
    m.tag,
    m.keys.length > 0 ? m.keys : undefined,
    m.messageGroup,
    hasAny(m.headers) ? JSON.stringify(m.headers) : undefined,
    m.contentType,
    m.body,
    m.deliverAt,
  ]);
  const [only, ...more] = rows;
  if (only === undefined) return [];
  if (more.length === 0) {
    const text = `select ${schema}.send_message($1::uuid, $2::text, $3::text, $4::text[], $5::text, $6::jsonb, $7::text, $8::bytea, $9::timestamptz)`;
    await trx.executeQuery(CompiledQuery.raw(text, only.map((v) => v ?? null)));
  } else {
    const groups = [...new Set(messages.flatMap((m) => (m.messageGroup === undefined ? [] : [m.messageGroup])))];
    if (groups.length > 0) {
      await trx.executeQuery(CompiledQuery.raw(`select ${schema}.lock_message_groups($1::text[])`, [groups]));
    }
    const parameters: unknown[] = [];
    const tuples = rows.map((values) => `(${values.map((v) => (v === undefined ? 'default' : `$${parameters.push(v)}`)).join(', ')})`);
    await trx.executeQuery(CompiledQuery.raw(`insert into ${schema}."outbox" (${COLUMNS}) values ${tuples.join(', ')}`, parameters));
  }
  return rows.map(([messageId]) => ({ messageId: messageId as string }));
}

function hasAny(record: Readonly<Record<string, string>>): boolean {
  for (const _ in record) return true;
  return false;
}
