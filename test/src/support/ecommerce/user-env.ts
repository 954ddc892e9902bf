/** The environment of a user's shell: nothing of the test run's Postgres, broker or data folder. */
export function userEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['DATABASE_URL', 'DATABASE_SCHEMA_PREFIX', 'TXMQ_ENDPOINTS', 'TXMQ_DATA_DIR', 'TXMQ_WITH_GIFTS', 'TXMQ_DELIVERY']) delete env[name];
  return env;
}
