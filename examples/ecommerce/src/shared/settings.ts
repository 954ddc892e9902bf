import type { Delivery } from '@txmq/nest';
import type { BrokerSecurityOptions } from '@txmq/outbox';
import { brokerSecuritySetting } from './broker-security.js';
import { UsageError } from './usage-error.js';
import { dataDirSetting, nonEmpty, portSetting, type Environment } from './environment.js';
import { DEFAULT_BROKER_PORT, DEFAULT_PORTS, PORT_VARIABLES, type ServiceName } from './services.js';

/** Where a service keeps its data. */
export type DatabaseSettings =
  /** An embedded PGlite database in its own folder. */
  | { readonly kind: 'pglite'; readonly dataDir: string }
  /** A schema pair in a Postgres database shared with the other services. */
  | { readonly kind: 'postgres'; readonly url: string; readonly schemaPrefix: string };

/** Everything one service process is configured with. */
export interface ServiceSettings {
  readonly service: ServiceName;
  readonly host: string;
  /** 0 picks a free port; the ready line says which. */
  readonly port: number;
  /** The broker: a txmq broker or a RocketMQ 5 proxy. */
  readonly endpoints: string;
  /** The broker's user and TLS CA, when it has them (`TXMQ_ACCESS_KEY`, `TXMQ_ACCESS_SECRET`, `TXMQ_TLS_CA_FILE`). */
  readonly brokerSecurity: BrokerSecurityOptions;
  readonly database: DatabaseSettings;
  /** How the account service delivers `user-registered` (the module's `delivery`). */
  readonly delivery: Delivery;
  /** Where the account service reads points from. */
  readonly pointsUrl: string;
  /** Where the account service reads coupons from. */
  readonly couponsUrl: string;
}

/** What the command line may say about one service. */
export interface ServiceFlags {
  readonly host?: string | undefined;
  readonly port?: string | undefined;
  readonly dataDir?: string | undefined;
}

/** The settings of `service` from its flags and the environment (see the example's README). */
export function serviceSettings(service: ServiceName, flags: ServiceFlags, env: Environment): ServiceSettings {
  const host = flags.host ?? (nonEmpty(env.TXMQ_HOST) || '127.0.0.1');
  const port = portSetting(flags.port, env, PORT_VARIABLES[service], DEFAULT_PORTS[service]);
  const url = nonEmpty(env.DATABASE_URL);
  const database: DatabaseSettings = url
    ? { kind: 'postgres', url, schemaPrefix: schemaPrefix(env.DATABASE_SCHEMA_PREFIX) }
    : { kind: 'pglite', dataDir: `${dataDirSetting(flags.dataDir, env)}/${service}` };
  const delivery = env.TXMQ_DELIVERY ?? 'outbox';
  if (delivery !== 'outbox' && delivery !== 'half-message') throw new UsageError(`TXMQ_DELIVERY must be outbox or half-message, got ${JSON.stringify(delivery)}`);
  const local = (name: ServiceName) => `http://127.0.0.1:${portSetting(undefined, env, PORT_VARIABLES[name], DEFAULT_PORTS[name])}`;
  return {
    service,
    host,
    port,
    endpoints: nonEmpty(env.TXMQ_ENDPOINTS) || `127.0.0.1:${DEFAULT_BROKER_PORT}`,
    brokerSecurity: brokerSecuritySetting(env),
    database,
    delivery,
    pointsUrl: nonEmpty(env.POINTS_URL) || local('points'),
    couponsUrl: nonEmpty(env.COUPONS_URL) || local('coupons'),
  };
}

function schemaPrefix(value: string | undefined): string {
  const prefix = value ?? '';
  if (!/^[a-z0-9_]*$/.test(prefix)) throw new UsageError(`DATABASE_SCHEMA_PREFIX may contain only a-z, 0-9 and _, got ${JSON.stringify(prefix)}`);
  return prefix;
}
