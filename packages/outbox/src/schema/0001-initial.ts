import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Outbox, inbox and transaction-log tables.
 *
 * - `outbox.id` is an identity: within one message group ids are allocated in commit order because
 *   `send` serializes same-group transactions (see `outbox/send.ts`), so id order is FIFO order.
 * - `status` is `pending` (waiting or leased, see `locked_until`), `sent` (kept for the retention
 *   period) or `parked` (kept until redriven). Rows are never deleted before they are published.
 * - Partial indexes cover only unsent rows, so claiming stays cheap however many sent rows are kept.
 */
export function initialMigration(schema: string): Migration {
  const t = (name: string) => sql.table(`${schema}.${name}`);
  return {
    async up(db: Kysely<any>) {
      await sql`
        create table ${t('outbox')} (
          id bigint generated always as identity primary key,
          message_id uuid not null unique,
          topic text not null,
          tag text,
          keys text[] not null default '{}',
          message_group text,
          headers jsonb not null default '{}',
          content_type text not null,
          body bytea not null,
          created_at timestamptz not null default now(),
          available_at timestamptz not null default now(),
          status text not null default 'pending' check (status in ('pending', 'sent', 'parked')),
          locked_until timestamptz,
          claim_token uuid,
          attempts integer not null default 0,
          last_error text,
          sent_at timestamptz,
          broker_message_id text
        )`.execute(db);
      await sql`
        create index outbox_ungrouped_due on ${t('outbox')} (available_at, id)
        where status = 'pending' and message_group is null`.execute(db);
      await sql`
        create index outbox_grouped_unsent on ${t('outbox')} (message_group, id)
        where status <> 'sent' and message_group is not null`.execute(db);
      await sql`create index outbox_sent on ${t('outbox')} (sent_at) where status = 'sent'`.execute(db);
      await sql`create index outbox_parked on ${t('outbox')} (id) where status = 'parked'`.execute(db);

      await sql`
        create table ${t('inbox')} (
          consumer_group text not null,
          message_id text not null,
          topic text,
          processed_at timestamptz not null default now(),
          primary key (consumer_group, message_id)
        )`.execute(db);
      await sql`create index inbox_processed_at on ${t('inbox')} (processed_at)`.execute(db);

      await sql`
        create table ${t('transaction_log')} (
          transaction_id text primary key,
          state text not null check (state in ('committed', 'rolled_back')),
          created_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index transaction_log_created_at on ${t('transaction_log')} (created_at)`.execute(db);
    },
    async down(db: Kysely<any>) {
      await sql`drop table ${t('transaction_log')}`.execute(db);
      await sql`drop table ${t('inbox')}`.execute(db);
      await sql`drop table ${t('outbox')}`.execute(db);
    },
  };
}
