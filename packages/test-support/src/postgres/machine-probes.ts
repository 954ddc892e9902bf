import pg from 'pg';
import type { PostgresProbes } from './find-postgres.js';

/** The image of the container started when no other Postgres is found. */
export const POSTGRES_IMAGE = 'postgres:16-alpine';

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

// testcontainers is loaded only on this path: a machine with Postgres never loads it.
async function containerRuntimeAnswers(): Promise<boolean> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  return getContainerRuntimeClient().then(
    () => true,
    () => false,
  );
}

async function startContainer(): Promise<{ url: string; stop(): Promise<void> }> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer(POSTGRES_IMAGE).withDatabase('test').start();
  return {
    url: container.getConnectionUri(),
    stop: async () => {
      await container.stop();
    },
  };
}

/** The probes of this machine: the environment, a real connection, testcontainers. */
export function machineProbes(env: NodeJS.ProcessEnv = process.env): PostgresProbes {
  return { databaseUrl: env.DATABASE_URL, answers, containerRuntimeAnswers, startContainer };
}
