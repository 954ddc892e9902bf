import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrokerConfig } from '@txmq/broker';
import pg from 'pg';
import { freePort } from '../free-port.js';
import { freshDatabase, type FreshDatabase } from '../fresh-database.js';
import { BROKER_CHILD, EXAMPLE_MAIN } from './example-paths.js';
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
 * (`DATABASE_URL`) and a broker (`TXMQ_ENDPOINTS`), with fixed ports so a killed process comes
 * back where the others expect it. The database is created for this run, so no earlier run's
 * state is there.
 */
export async function startPostgresSystem(options: PostgresSystemOptions): Promise<PostgresSystem> {
  const database = await freshDatabase(options.serverUrl, 'ecommerce');
  const folder = await mkdtemp(join(tmpdir(), 'txmq-ecommerce-'));
  const configPath = join(folder, 'broker.json');
  await writeFile(configPath, JSON.stringify(options.brokerConfig));
  const brokerPort = await freePort();
  const ports = { account: await freePort(), points: await freePort(), coupons: await freePort() };
  const url = (service: TestedService) => `http://127.0.0.1:${ports[service]}`;
  const broker = new ExampleProcess({
    name: 'broker',
    args: [BROKER_CHILD, '--host', '127.0.0.1', '--port', String(brokerPort), '--data-dir', join(folder, 'broker'), '--config', configPath, '--log-level', 'warn'],
    env: process.env,
    ready: /listening on 127\.0\.0\.1:\d+/,
  });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: database.url,
    DATABASE_SCHEMA_PREFIX: '',
    TXMQ_ENDPOINTS: `127.0.0.1:${brokerPort}`,
    TXMQ_DELIVERY: options.delivery,
    POINTS_URL: url('points'),
    COUPONS_URL: url('coupons'),
  };
  const service = (name: TestedService) =>
    new ExampleProcess({
      name,
      args: [EXAMPLE_MAIN, name, '--host', '127.0.0.1', '--port', String(ports[name])],
      env,
      ready: new RegExp(`^${name} ready at http://`),
    });
  const services = { account: service('account'), points: service('points'), coupons: service('coupons') };
  const db = new pg.Pool({ connectionString: database.url, max: 4 });
  const all = [broker, services.account, services.points, services.coupons];
  const dispose = async () => {
    await Promise.all([services.account, services.points, services.coupons].map((p) => p.stop()));
    await broker.stop();
    await db.end();
    await dropQuietly(database);
    await rm(folder, { recursive: true, force: true });
  };
  try {
    await broker.start();
    await Promise.all([services.points.start(), services.coupons.start(), services.account.start()]);
  } catch (error) {
    await dispose();
    throw error;
  }
  return {
    broker,
    services,
    accountUrl: url('account'),
    db,
    tails: (lines = 40) => all.map((p) => `--- ${p.name}\n${p.tail(lines)}`).join('\n'),
    dispose,
  };
}

async function dropQuietly(database: FreshDatabase): Promise<void> {
  try {
    await database.drop();
  } catch {
    // a connection of a killed service may still be closing; the database has a unique name
  }
}
