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
 * Writes `messages` into the outbox inside the caller's transaction `trx`, with one plain
 * `insert` (absent fields take the column default: no CTE, nothing computed but the defaults).
 *
 * Invariant (per-group FIFO in commit order): before the insert allocates ids, the transaction
 * takes `pg_advisory_xact_lock(hashtext('<schema>.outbox'), hashtext(group))` for every group it
 * writes. A second transaction writing the same group therefore waits until the first one commits
 * or rolls back before it draws its id, so within a group id order equals commit order and the
 * relay can publish a group's rows by ascending id without ever overtaking a row that is still
 * uncommitted. Sequence values alone are not commit order. Locks are taken sorted by key so two
 * transactions writing the same groups cannot deadlock each other. Rows without a group take no
 * lock and have no ordering constraint.
 */
export async function insertMessages(
  trx: Transaction<any>,
  settings: InsertSettings,
  messages: readonly EncodedMessage[],
): Promise<SentMessage[]> {
  if (messages.length === 0) return [];
  const groups = [...new Set(messages.flatMap((m) => (m.messageGroup === undefined ? [] : [m.messageGroup])))];
  if (groups.length > 0) {
    await trx.executeQuery(
      CompiledQuery.raw(
        `select pg_advisory_xact_lock(hashtext($1), k)
         from (select distinct hashtext(g) as k from unnest($2::text[]) as g order by k) as keys`,
        [`${settings.schema}.outbox`, groups],
      ),
    );
  }
  const sent: SentMessage[] = [];
  const parameters: unknown[] = [];
  const tuples: string[] = [];
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
    tuples.push(`(${values.map((v) => (v === undefined ? 'default' : `$${parameters.push(v)}`)).join(', ')})`);
  }
  const text = `insert into "${settings.schema}"."outbox" (${COLUMNS}) values ${tuples.join(', ')}`;
  await trx.executeQuery(CompiledQuery.raw(text, parameters));
  return sent;
}

function hasAny(record: Readonly<Record<string, string>>): boolean {
  for (const _ in record) return true;
  return false;
}
