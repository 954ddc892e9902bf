import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Why a publish failed, beside `last_error` (the message): `last_error_code`, the transport's
 * name for the failure (e.g. `ILLEGAL_MESSAGE_TAG`, `BROKER_UNREACHABLE`), and
 * `last_error_status`, the broker's numeric status when it answered with one. A parked row
 * thus says what refused it. Both are cleared when the row is published.
 */
export function errorDetailsMigration(schema: string): Migration {
  const outbox = sql.table(`${schema}.outbox`);
  return {
    async up(db: Kysely<any>) {
      await sql`alter table ${outbox} add column last_error_code text, add column last_error_status integer`.execute(db);
    },
    async down(db: Kysely<any>) {
      await sql`alter table ${outbox} drop column last_error_status, drop column last_error_code`.execute(db);
    },
  };
}
