import { resolveConfig, type BrokerConfig } from '@txmq/broker';
import { InvalidOptionsError } from '@txmq/outbox';
import type { Kysely } from 'kysely';
import { resolveOptions, type TxmqModuleOptions } from '../options.js';

/**
 * Options of `TxmqTestingModule.forRoot`: the options of `TxmqModule.forRoot` without
 * `endpoints` (the testing module starts a broker) and with an optional `db` (default: a fresh
 * in-memory PGlite database), plus the broker's configuration and a hook that prepares the
 * database before the application bootstraps.
 */
export interface TxmqTestingModuleOptions extends Omit<TxmqModuleOptions, 'endpoints' | 'db'> {
  /**
   * The application's Kysely instance, e.g. on a real Postgres; default a fresh PGlite database
   * (`@electric-sql/pglite`, an optional peer dependency), destroyed when the application closes.
   * A `db` given here is never destroyed by the module.
   */
  readonly db?: Kysely<any>;
  /**
   * Configuration of the in-process broker (topics, groups...), as in the broker's `--config`
   * file: names are the broker's, so with `namespace` a group or topic is `<namespace>%<name>`.
   * Defaults for tests: `minInvisibleMs` 100, `pushLongPollingMs` 1000 (so consumers stop within
   * about a second), and a retry backoff of 100 ms doubling up to 1 s for every group an
   * `@OnMessage` handler consumes as and every group declared here without a `retryBackoff`.
   */
  readonly broker?: BrokerConfig;
  /**
   * Runs once on the database before the application bootstraps (before the outbox migrations
   * and before any consumer starts): create the application's own tables here.
   */
  readonly setup?: (db: Kysely<any>) => void | Promise<void>;
  /** Register the module globally, so every module can inject its providers (default `false`). */
  readonly isGlobal?: boolean;
}

/**
 * Stand-ins for the endpoint the testing module provides and for its default database, so that
 * `resolveOptions` checks the other options as `TxmqModule.forRoot` would.
 */
const PLACEHOLDER_ENDPOINTS = 'testing:0';
const PLACEHOLDER_DB = { transaction: () => undefined } as unknown as Kysely<any>;

/** The options of `TxmqTestingModule.forRoot` split into the testing module's and `TxmqModule`'s. */
export interface SplitOptions {
  readonly db: Kysely<any> | undefined;
  readonly broker: BrokerConfig;
  readonly setup: ((db: Kysely<any>) => void | Promise<void>) | undefined;
  readonly isGlobal: boolean;
  readonly module: Omit<TxmqModuleOptions, 'endpoints' | 'db'>;
}

/**
 * Checks the options when `forRoot` is called, before anything starts: a bad one is an
 * `InvalidOptionsError` whose `option` names it, exactly as `TxmqModule.forRoot` reports it.
 */
export function splitOptions(options: TxmqTestingModuleOptions): SplitOptions {
  if (options === null || typeof options !== 'object') throw new InvalidOptionsError('options', 'must be an object');
  const { db, broker, setup, isGlobal, ...module } = options;
  if ('endpoints' in module) throw new InvalidOptionsError('endpoints', 'is set by TxmqTestingModule (it starts a broker); leave it out');
  resolveOptions({ ...module, endpoints: PLACEHOLDER_ENDPOINTS, db: db ?? PLACEHOLDER_DB });
  try {
    resolveConfig(broker ?? {});
  } catch (error) {
    throw new InvalidOptionsError('broker', (error as Error).message, { cause: error });
  }
  if (setup !== undefined && typeof setup !== 'function') throw new InvalidOptionsError('setup', 'must be a function (db) => void | Promise<void>');
  if (isGlobal !== undefined && typeof isGlobal !== 'boolean') throw new InvalidOptionsError('isGlobal', 'must be a boolean');
  return { db, broker: broker ?? {}, setup, isGlobal: isGlobal === true, module };
}
