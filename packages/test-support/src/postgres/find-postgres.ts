/** The database txmq's tests use when nothing says otherwise. */
export const LOCAL_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** A Postgres for tests, and how it was found. */
export interface TestPostgres {
  readonly url: string;
  readonly source: 'DATABASE_URL' | 'local' | 'container';
  /** Stops what was started for the tests (the container); a no-op for the other sources. */
  stop(): Promise<void>;
}

/** What {@link findPostgres} asks the machine; injected so the selection can be tested. */
export interface PostgresProbes {
  /** The `DATABASE_URL` variable, if set. */
  readonly databaseUrl: string | undefined;
  /** Whether a Postgres at `url` accepts a connection and answers a query. */
  answers(url: string): Promise<boolean>;
  /** Whether a container runtime (Docker, Podman, …) answers. */
  containerRuntimeAnswers(): Promise<boolean>;
  /** Starts a throwaway Postgres container. */
  startContainer(): Promise<{ readonly url: string; stop(): Promise<void> }>;
}

/** Thrown when none of the three ways finds a Postgres. */
export class NoPostgresError extends Error {
  constructor() {
    super(
      'no Postgres for the tests: set DATABASE_URL, ' +
        `or run one at ${LOCAL_DATABASE_URL}, ` +
        'or start a container runtime (Docker or Podman) so the tests can start a Postgres container',
    );
    this.name = 'NoPostgresError';
  }
}

const nothingToStop = async (): Promise<void> => undefined;

/**
 * Finds the Postgres the tests run against, in this order: `DATABASE_URL` if set (used as is);
 * else {@link LOCAL_DATABASE_URL} if it answers; else a container when a container runtime answers;
 * else throws {@link NoPostgresError}, which names all three ways.
 */
export async function findPostgres(probes: PostgresProbes): Promise<TestPostgres> {
  if (probes.databaseUrl) return { url: probes.databaseUrl, source: 'DATABASE_URL', stop: nothingToStop };
  if (await probes.answers(LOCAL_DATABASE_URL)) return { url: LOCAL_DATABASE_URL, source: 'local', stop: nothingToStop };
  if (await probes.containerRuntimeAnswers()) {
    const container = await probes.startContainer();
    return { url: container.url, source: 'container', stop: () => container.stop() };
  }
  throw new NoPostgresError();
}
