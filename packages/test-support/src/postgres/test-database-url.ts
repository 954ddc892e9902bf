import { findPostgres } from './find-postgres.js';
import { machineProbes } from './machine-probes.js';

let found: Promise<string> | undefined;

/**
 * The connection URL of the Postgres this test process uses (see {@link findPostgres}); found once
 * per process. A container started here is stopped by testcontainers' reaper when this process
 * exits; `scripts/run-tests.mjs` instead finds one Postgres for the whole run, passes it to every
 * test file as `DATABASE_URL`, and stops it afterwards. Child processes a test spawns inherit the
 * URL through `DATABASE_URL`.
 */
export function testDatabaseUrl(): Promise<string> {
  found ??= findPostgres(machineProbes()).then((postgres) => {
    process.env.DATABASE_URL = postgres.url;
    return postgres.url;
  });
  return found;
}
