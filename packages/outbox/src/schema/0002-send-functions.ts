import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Functions `send` calls, so that writing a message is one round trip whose plans Postgres caches
 * per connection (plain statements are parsed and planned on every call, and named prepared
 * statements do not survive PgBouncer's transaction pooling).
 *
 * - `lock_message_groups(groups)` takes `pg_advisory_xact_lock(hashtext('<schema>.outbox'),
 *   hashtext(group))` for each distinct group, sorted by key so two transactions writing the same
 *   groups cannot deadlock. Taken before a row's id is drawn, it makes id order commit order
 *   within a group (see `outbox/send.ts`).
 * - `send_message(...)` locks the message's group, if any, then inserts the row; absent values
 *   (null) take the column defaults.
 */
export function sendFunctionsMigration(schema: string): Migration {
  const lockKey = sql.lit(`${schema}.outbox`);
  const outbox = sql.table(`${schema}.outbox`);
  const lockGroups = sql.raw(`"${schema}".lock_message_groups`);
  const sendMessage = sql.raw(`"${schema}".send_message`);
  return {
    async up(db: Kysely<any>) {
      await sql`
        create function ${lockGroups}(p_groups text[]) returns void
        language plpgsql as $$
        begin
          perform pg_advisory_xact_lock(hashtext(${lockKey}), k)
          from (select distinct hashtext(g) as k from unnest(p_groups) as g where g is not null order by k) as keys;
        end
        $$`.execute(db);
      await sql`
        create function ${sendMessage}(
          p_message_id uuid, p_topic text, p_tag text, p_keys text[], p_message_group text,
          p_headers jsonb, p_content_type text, p_body bytea, p_available_at timestamptz
        ) returns void
        language plpgsql as $$
        begin
          if p_message_group is not null then
            perform pg_advisory_xact_lock(hashtext(${lockKey}), hashtext(p_message_group));
          end if;
          insert into ${outbox} (message_id, topic, tag, keys, message_group, headers, content_type, body, available_at)
          values (p_message_id, p_topic, p_tag, coalesce(p_keys, '{}'), p_message_group,
                  coalesce(p_headers, '{}'), p_content_type, p_body, coalesce(p_available_at, now()));
        end
        $$`.execute(db);
    },
    async down(db: Kysely<any>) {
      await sql`drop function ${sendMessage}(uuid, text, text, text[], text, jsonb, text, bytea, timestamptz)`.execute(db);
      await sql`drop function ${lockGroups}(text[])`.execute(db);
    },
  };
}
