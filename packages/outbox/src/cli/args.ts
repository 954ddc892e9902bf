import { parseArgs } from 'node:util';
import { DEFAULT_SCHEMA, resolveSchema } from '../schema/schema-name.js';
import { isOutboxError } from '../errors.js';
import type { CliIo } from './io.js';

/** A malformed command line; its message says what is wrong, and the usage text follows it. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type OptionSpec = { readonly type: 'string' | 'boolean'; readonly short?: string; readonly multiple?: boolean };

/** The options every command takes. */
const COMMON = {
  'database-url': { type: 'string' },
  schema: { type: 'string' },
  json: { type: 'boolean' },
  'timeout-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Record<string, OptionSpec>;

/** What every command gets from its command line. */
export interface CommonArgs {
  /** The connection URL and where it came from (`--database-url` or `DATABASE_URL`); undefined with `--help`. */
  readonly database: { readonly url: string; readonly from: string } | undefined;
  readonly schema: string;
  readonly json: boolean;
  readonly timeoutMs: number;
  readonly help: boolean;
}

/** Default of `--timeout-ms`: connecting, and each statement. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Parses a command's arguments: the common options plus `extra`.
 * @throws UsageError on an unknown option, a missing value, a bad schema name or no database URL.
 */
export function parseCommand<E extends Record<string, OptionSpec>>(
  argv: readonly string[],
  env: CliIo['env'],
  extra: E,
): { common: CommonArgs; values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { ...COMMON, ...extra }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const help = values.help === true;
  let schema: string;
  try {
    schema = resolveSchema((values.schema as string | undefined) ?? DEFAULT_SCHEMA);
  } catch (error) {
    if (isOutboxError(error, 'INVALID_OPTIONS')) throw new UsageError(error.message.replace('invalid option schema', '--schema'));
    throw error;
  }
  const timeoutMs = positiveInt(values['timeout-ms'] as string | undefined, '--timeout-ms', DEFAULT_TIMEOUT_MS);
  const fromFlag = values['database-url'] as string | undefined;
  const url = fromFlag ?? env.DATABASE_URL;
  if (!help && (url === undefined || url === '')) {
    throw new UsageError('no database: set DATABASE_URL or pass --database-url URL');
  }
  return {
    common: {
      database: url === undefined || url === '' ? undefined : { url, from: fromFlag !== undefined ? '--database-url' : 'DATABASE_URL' },
      schema,
      json: values.json === true,
      timeoutMs,
      help,
    },
    values,
    positionals: parsed.positionals,
  };
}

/** A positive integer option's value (or `fallback` when absent). */
export function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}
