import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { EncodedMessage } from '../message/message.js';

/** What `send` returns for each message. */
export interface SentMessage {
  /** The message id; consumers see it as the `txmq-message-id` property and the inbox dedups on it. */
  readonly messageId: string;
}

/** Settings `insertMessages` needs from the outbox. */
export interface InsertSettings {
  readonly schema: string;
  readonly channel: string;
  readonly notify: boolean;
}

/**
 * Writes `messages` into the outbox inside the caller's transaction `trx`.
 *
 * Invariant (per-group FIFO in commit order): before the insert allocates ids, the transaction
 * takes `pg_advisory_xact_lock(hashtext('<schema>.outbox'), hashtext(group))` for every group it
 * writes. A second transaction writing the same group therefore waits until the first one commits
 * or rolls back before it draws its id, so within a group id order equals commit order and the
 * relay can publish a group's rows by ascending id without ever overtaking a row that is still
 * uncommitted. Sequence values alone are not commit order. Locks are taken sorted by key so two
 * transactions writing the same groups cannot deadlock each other. Rows without a group take no
 * lock and have no ordering constraint.
 *
 * The NOTIFY is only a wake-up hint, delivered at commit; relays poll as the source of truth.
 */
export async function insertMessages(
  trx: Transaction<any>,
  settings: InsertSettings,
  messages: readonly EncodedMessage[],
): Promise<SentMessage[]> {
  if (messages.length === 0) return [];
  const groups = [...new Set(messages.flatMap((m) => (m.messageGroup === undefined ? [] : [m.messageGroup])))];
  if (groups.length > 0) {
    await sql`
      select pg_advisory_xact_lock(hashtext(${`${settings.schema}.outbox`}), k)
      from (select distinct hashtext(g) as k from unnest(${groups}::text[]) as g order by k) as keys
    `.execute(trx);
  }
  const rows = messages.map((m) => ({
    message_id: randomUUID(),
    topic: m.topic,
    tag: m.tag ?? null,
    keys: m.keys,
    message_group: m.messageGroup ?? null,
    headers: JSON.stringify(m.headers),
    content_type: m.contentType,
    body: m.body,
    available_at: m.deliverAt ?? sql<Date>`now()`,
  }));
  const db = trx.withSchema(settings.schema);
  if (settings.notify) {
    // One round trip: the data-modifying CTE always runs, and the notification is sent at commit.
    await db
      .with('inserted', (q) => q.insertInto('outbox').values(rows))
      .selectNoFrom(sql`pg_notify(${settings.channel}, '')`.as('notified'))
      .execute();
  } else {
    await db.insertInto('outbox').values(rows).execute();
  }
  return rows.map((r) => ({ messageId: r.message_id }));
}
