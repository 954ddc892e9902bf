import { resolve } from 'node:path';
import { UsageError } from './usage-error.js';

/** The process environment, or a test's stand-in. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** A port from a flag or a variable (`what` names it in the error); 0 picks a free one. */
export function parsePort(value: string, what: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new UsageError(`${what} must be a port number from 0 to 65535, got ${JSON.stringify(value)}`);
  return port;
}

/** `flag` if given, else the variable `name` if set, else `fallback`. */
export function portSetting(flag: string | undefined, env: Environment, name: string, fallback: number): number {
  if (flag !== undefined) return parsePort(flag, '--port');
  const value = env[name];
  return value === undefined || value === '' ? fallback : parsePort(value, name);
}

/**
 * The folder the embedded databases (and the broker's store) live under: `--data-dir`, else
 * `TXMQ_DATA_DIR`, else `.txmq-data/ecommerce` in the folder the command was run from (npm
 * reports it as `INIT_CWD`, so `npm run ... -w examples/ecommerce` at the root uses the root's).
 */
export function dataDirSetting(flag: string | undefined, env: Environment): string {
  const base = env.INIT_CWD ?? process.cwd();
  return resolve(base, flag ?? (nonEmpty(env.TXMQ_DATA_DIR) || '.txmq-data/ecommerce'));
}

/** Whether a yes/no variable is set to yes (`1`, `true`, `yes`). */
export function isTrue(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes)$/i.test(value.trim());
}

/** `value` unless it is unset or blank. */
export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
