import { PGlite } from '@electric-sql/pglite';
import { createPgliteDialect, pgliteNotifications, type RelayTuning } from '@txmq/outbox';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { lockDataDir } from './data-dir-lock.js';
import type { DatabaseSettings } from './settings.js';
import type { ServiceName } from './services.js';

/** A service's own database: its tables in `appSchema`, the outbox and inbox in `txmqSchema`. */
export interface ServiceDatabase {
  readonly db: Kysely<any>;
  readonly appSchema: string;
  readonly txmqSchema: string;
  /** How the outbox relay is woken on commit (LISTEN/NOTIFY). */
  readonly listen: NonNullable<RelayTuning['listen']>;
  /** Where the data is, for people: a folder or a Postgres schema. */
  readonly description: string;
  close(): Promise<void>;
}

/**
 * Opens `service`'s database: PGlite in its own folder (created if missing, and locked to this
 * process until `close()`: PGlite is one process's database), or its schemas in the Postgres of
 * `DATABASE_URL`, which the services share, each keeping to its own schemas.
 *
 * @throws DataDirInUseError when another live process has the PGlite folder open.
 */
export async function openDatabase(service: ServiceName, settings: DatabaseSettings): Promise<ServiceDatabase> {
  if (settings.kind === 'postgres') {
    const appSchema = `${settings.schemaPrefix}${service}`;
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: settings.url, max: 10 }) }) });
    return {
      db,
      appSchema,
      txmqSchema: `${appSchema}_txmq`,
      listen: settings.url,
      description: `Postgres, schemas ${appSchema} and ${appSchema}_txmq`,
      close: () => db.destroy(),
    };
  }
  const lock = await lockDataDir(settings.dataDir);
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(settings.dataDir);
  } catch (error) {
    await lock.release();
    throw error;
  }
  const db = new Kysely<any>({ dialect: createPgliteDialect(pglite, { closeOnDestroy: true }) });
  return {
    db,
    appSchema: service,
    txmqSchema: `${service}_txmq`,
    listen: pgliteNotifications(pglite),
    description: `PGlite in ${settings.dataDir}`,
    close: async () => {
      try {
        await db.destroy();
      } finally {
        await lock.release();
      }
    },
  };
}
