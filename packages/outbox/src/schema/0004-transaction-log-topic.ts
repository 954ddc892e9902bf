import { sql, type Kysely, type Migration } from 'kysely';

/**
 * `transaction_log.topic`: the topic of the half message a `committed` row records, so what an
 * application sent as half messages can be listed per topic (as `outbox.topic` lists what went
 * through the outbox). Null on rows older than this migration and on `rolled_back` fences.
 */
export function transactionLogTopicMigration(schema: string): Migration {
  const log = sql.table(`${schema}.transaction_log`);
  return {
    async up(db: Kysely<any>) {
      await sql`alter table ${log} add column topic text`.execute(db);
    },
    async down(db: Kysely<any>) {
      await sql`alter table ${log} drop column topic`.execute(db);
    },
  };
}
