import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrokerConfig } from '@txmq/broker';
import pg from 'pg';
import { freshDatabase, type FreshDatabase } from '../fresh-database.js';
import { EXAMPLE_BROKER, EXAMPLE_MAIN } from './example-paths.js';
import { ExampleProcess } from './example-process.js';

/** The example's services the tests run (gifts stays off). */
export type TestedService = 'account' | 'points' | 'coupons';

/** The broker and the account, points and coupons services, each a process of its own, on one fresh Postgres database. */
export interface PostgresSystem {
  readonly broker: ExampleProcess;
  readonly services: Readonly<Record<TestedService, ExampleProcess>>;
  /** `http://127.0.0.1:PORT` of the account service. */
  readonly accountUrl: string;
  /** A pool on the database the services keep their schemas in (`account`, `points_txmq`...). */
  readonly db: pg.Pool;
  /** Every process, for a failure message: the last lines of each. */
  tails(lines?: number): string;
  /** Stops the services and the broker, drops the database, removes the broker's folder. */
  dispose(): Promise<void>;
}

export interface PostgresSystemOptions {
  readonly serverUrl: string;
  readonly brokerConfig: BrokerConfig;
  /** `TXMQ_DELIVERY` of the account service. */
  readonly delivery: 'outbox' | 'half-message';
}

/**
 * Starts the system the way its README runs the services one by one against real Postgres
 * (`DATABASE_URL`) and a broker (`TXMQ_ENDPOINTS`). Each process binds a free port itself on its
 * first start (the broker first, then points and coupons, then the account service, which is told
 * where they are) and keeps it on restarts, so a killed process comes back where the others expect
 * it. The database is created for this run, so no earlier run's state is there.
 */
export async function startPostgresSystem(options: PostgresSystemOptions): Promise<PostgresSystem> {
  const database = await freshDatabase(options.serverUrl, 'ecommerce');
  const folder = await mkdtemp(join(tmpdir(), 'txmq-ecommerce-'));
  const configPath = join(folder, 'broker.json');
  await writeFile(configPath, JSON.stringify(options.brokerConfig));
  const broker = new ExampleProcess({
    name: 'broker',
    args: (port) => [EXAMPLE_BROKER, '--host', '127.0.0.1', '--port', String(port), '--data-dir', join(folder, 'broker'), '--config', configPath, '--log-level', 'warn'],
    env: process.env,
    ready: /txmq broker listening on (127\.0\.0\.1:\d+)/,
  });
  const service = (name: TestedService, env: NodeJS.ProcessEnv) =>
    new ExampleProcess({ name, args: (port) => [EXAMPLE_MAIN, name, '--host', '127.0.0.1', '--port', String(port)], env, ready: new RegExp(`^${name} ready at (http://\\S+)`) });
  const db = new pg.Pool({ connectionString: database.url, max: 4 });
  const all: ExampleProcess[] = [broker];
  const dispose = async () => {
    await Promise.all(all.slice(1).map((p) => p.stop()));
    await broker.stop();
    await endPool(db);
    await dropQuietly(database);
    await rm(folder, { recursive: true, force: true });
  };
  try {
    await broker.start();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: database.url,
      DATABASE_SCHEMA_PREFIX: '',
      TXMQ_ENDPOINTS: broker.address,
      TXMQ_DELIVERY: options.delivery,
    };
    const points = service('points', env);
    const coupons = service('coupons', env);
    all.push(points, coupons);
    await Promise.all([points.start(), coupons.start()]);
    const account = service('account', { ...env, POINTS_URL: points.address, COUPONS_URL: coupons.address });
    all.push(account);
    await account.start();
    return {
      broker,
      services: { account, points, coupons },
      accountUrl: account.address,
      db,
      tails: (lines = 40) => all.map((p) => `--- ${p.name}\n${p.tail(lines)}`).join('\n'),
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/**
 * `pool.end()` resolves once its clients are told to end, not once their connections are closed;
 * dropping the database `with (force)` then terminates those, and the error reaches no listener.
 */
async function endPool(db: pg.Pool): Promise<void> {
  let open = db.totalCount;
  const closed = new Promise<void>((resolve) => {
    if (open === 0) resolve();
    db.on('remove', () => {
      if (--open === 0) resolve();
    });
  });
  await db.end();
  await closed;
}

async function dropQuietly(database: FreshDatabase): Promise<void> {
  try {
    await database.drop();
  } catch {
    // a connection of a killed service may still be closing; the database has a unique name
  }
}
