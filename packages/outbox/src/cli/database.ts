import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { UsageError, type CommonArgs } from './args.js';

/** Why a command could not do its work, as the CLI reports it (exit code 1). */
export class CommandFailure extends Error {
  /** `CANNOT_CONNECT`, `NO_OUTBOX`, `NOT_MIGRATED`, `NOT_PARKED` or `DATABASE_ERROR`. */
  readonly code: string;
  /** The command already wrote its `--json` document (which says what failed), so no error document follows. */
  readonly documentWritten: boolean;

  constructor(code: string, message: string, documentWritten = false) {
    super(message);
    this.name = 'CommandFailure';
    this.code = code;
    this.documentWritten = documentWritten;
  }
}

/** The connection URL with its password replaced by `***`, for messages. */
export function redactUrl(url: URL): string {
  if (url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.password = '***';
  return copy.href;
}

/**
 * Opens a one-connection Kysely instance on the database of `args`, runs `work` with it and
 * closes it. Errors are turned into a {@link CommandFailure} whose message names the database
 * (password hidden) and what went wrong; the password appears in no message.
 * @throws UsageError when the URL is not a postgres:// URL.
 */
export async function withDatabase<T>(args: CommonArgs, work: (db: Kysely<any>) => Promise<T>): Promise<T> {
  const { url: raw, from } = args.database!;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${from} is not a URL (expected postgres://USER:PASSWORD@HOST:PORT/DATABASE)`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new UsageError(`${from} must be a postgres:// or postgresql:// URL, got one starting with ${url.protocol}//`);
  }
  const secrets = [url.password, safeDecode(url.password)].filter((s) => s.length > 0);
  const hide = (text: string) => secrets.reduce((t, secret) => t.split(secret).join('***'), text);
  const where = `${redactUrl(url)} (from ${from})`;
  const pool = new pg.Pool({
    connectionString: raw,
    max: 1,
    connectionTimeoutMillis: args.timeoutMs,
    statement_timeout: args.timeoutMs,
    application_name: 'txmq-outbox',
  });
  // An idle connection that breaks must not crash the process; the query that uses it fails instead.
  pool.on('error', () => {});
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  try {
    await db.connection().execute(async () => undefined).catch((error: unknown) => {
      throw new CommandFailure('CANNOT_CONNECT', hide(`cannot connect to the database at ${where}: ${describe(error)}`));
    });
    return await work(db).catch((error: unknown) => {
      if (error instanceof CommandFailure || error instanceof UsageError) throw error;
      throw queryFailure(error, args.schema, where, hide);
    });
  } finally {
    await db.destroy().catch(() => undefined);
  }
}

/** A failed statement: no outbox in the schema, an outdated outbox, or another database error. */
function queryFailure(error: unknown, schema: string, where: string, hide: (text: string) => string): CommandFailure {
  const code = (error as { code?: unknown }).code;
  if (code === '42P01' || code === '3F000') {
    return new CommandFailure(
      'NO_OUTBOX',
      `no outbox in schema "${schema}" of ${hide(where)}: the table ${schema}.outbox does not exist (wrong --schema? the application creates it with outbox.migrate())`,
    );
  }
  if (code === '42703') {
    return new CommandFailure(
      'NOT_MIGRATED',
      `the outbox in schema "${schema}" is older than this txmq-outbox (${hide(describe(error))}); run the application's outbox.migrate() first`,
    );
  }
  return new CommandFailure('DATABASE_ERROR', hide(`the database at ${where} failed: ${describe(error)}`));
}

/** An error's message with its SQLSTATE or system code, e.g. `connect ECONNREFUSED 127.0.0.1:1 (ECONNREFUSED)`. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const causes = error instanceof AggregateError ? error.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e))) : [];
  const message = error.message || causes.join('; ') || error.name;
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
