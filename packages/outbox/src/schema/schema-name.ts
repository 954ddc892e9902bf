import { InvalidOptionsError } from '../errors.js';

/** The schema used when none is configured. */
export const DEFAULT_SCHEMA = 'txmq';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Validates a schema name. Only lower-case unquoted identifiers are accepted so that the name
 * means the same thing quoted and unquoted, in SQL, in channel names and in advisory-lock keys.
 */
export function resolveSchema(schema: string | undefined): string {
  const name = schema ?? DEFAULT_SCHEMA;
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    throw new InvalidOptionsError(
      'schema',
      `expected a lower-case identifier ([a-z_][a-z0-9_]*, at most 63 characters), got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

/** The LISTEN/NOTIFY channel the outbox of `schema` notifies on. */
export function notifyChannel(schema: string): string {
  return `${schema}_outbox`;
}
