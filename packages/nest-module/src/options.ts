import { checkTopicName, type ClientLogger } from '@txmq/broker/client';
import { DEFAULT_SCHEMA, InvalidOptionsError, type BrokerSecurityOptions, type RelayTuning } from '@txmq/outbox';
import { securityOptions } from './security-options.js';
import type { Kysely } from 'kysely';

/** How `TxmqProducer.send` delivers a message sent inside a transaction. */
export type Delivery = 'outbox' | 'half-message';

/**
 * Options of `TxmqModule.forRoot` (and what the `forRootAsync` factory returns). `credentials`,
 * `sslEnabled` and `tlsRootCertFile` reach a secured broker: every client the module creates
 * (producer, relay, consumers, half-message sender, health probe) gets them.
 */
export interface TxmqModuleOptions extends BrokerSecurityOptions {
  /** `HOST:PORT` of a txmq broker or a RocketMQ 5 proxy. */
  readonly endpoints: string;
  /** The application's Kysely instance (node-postgres dialect, or PGlite via `createPgliteDialect`). */
  readonly db: Kysely<any>;
  /** Schema of the outbox tables; default `txmq`. */
  readonly schema?: string;
  /** Apply the outbox migrations when the application bootstraps; default `true`. */
  readonly migrate?: boolean;
  /**
   * How a send inside a transaction is delivered; default `'outbox'` (a row in the outbox,
   * published by a relay after commit). `'half-message'`: a RocketMQ transactional half message,
   * committed after the outermost transaction commits (the check-back answers from the database
   * if the process dies first).
   */
  readonly delivery?: Delivery;
  /**
   * With `delivery: 'half-message'`: the topics this application sends half messages to. The
   * module announces them to the broker at bootstrap, so the check-backs of half messages a
   * crashed earlier instance left on them reach this application.
   */
  readonly transactionalTopics?: readonly string[];
  /**
   * Run an outbox relay in this application (default `true`), optionally tuned (`listen`,
   * `pollIntervalMs`, `batchSize`...). It starts when the application bootstraps and is drained
   * at shutdown. `false` when another process relays.
   */
  readonly relay?: boolean | RelayTuning;
  /** Start the `@OnMessage` consumers at bootstrap (default `true`); `false` publishes without consuming. */
  readonly consumers?: boolean;
  /** RocketMQ namespace of the producer. */
  readonly namespace?: string;
  /** Where the broker clients log and relay errors go; default warnings and errors on stderr. */
  readonly logger?: ClientLogger;
  /**
   * Bound of the graceful shutdown, in ms (default 30 000): stopping the consumers and waiting for
   * their running handlers, then waiting for the relay to claim the outbox rows committed
   * meanwhile and stopping it after its in-flight batch, then closing the producer. What is still
   * running when it passes is logged and left behind.
   */
  readonly shutdownTimeoutMs?: number;
}

/** {@link TxmqModuleOptions} checked, with every default applied. */
export interface ResolvedOptions {
  readonly endpoints: string;
  readonly db: Kysely<any>;
  readonly schema: string;
  readonly migrate: boolean;
  readonly delivery: Delivery;
  readonly transactionalTopics: readonly string[];
  readonly relay: RelayTuning | false;
  readonly consumers: boolean;
  readonly namespace: string | undefined;
  readonly logger: ClientLogger | undefined;
  readonly shutdownTimeoutMs: number;
  /** The credentials and TLS options given (only those), for every broker client. */
  readonly security: BrokerSecurityOptions;
}

/** Default of {@link TxmqModuleOptions.shutdownTimeoutMs}. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;
/** The longest delay a Node timer takes. */
const MAX_TIMER_MS = 2_147_483_647;

const KNOWN = new Set([
  'endpoints', 'db', 'schema', 'migrate', 'delivery', 'relay', 'consumers', 'namespace', 'logger', 'shutdownTimeoutMs', 'transactionalTopics',
  'credentials', 'sslEnabled', 'tlsRootCertFile',
]);

/**
 * Checks the module's options; a bad one is an `InvalidOptionsError` (of `@txmq/outbox`) whose
 * `option` names it, thrown when the module is created, before any I/O.
 */
export function resolveOptions(options: TxmqModuleOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw new InvalidOptionsError('options', 'must be an object');
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new InvalidOptionsError(key, `is not an option of TxmqModule (known: ${[...KNOWN].join(', ')})`);
  }
  const { endpoints, db, schema, namespace, logger } = options;
  if (typeof endpoints !== 'string' || endpoints.trim() === '') throw new InvalidOptionsError('endpoints', 'must be a "host:port" string');
  if (db === null || typeof db !== 'object' || typeof (db as Partial<Kysely<any>>).transaction !== 'function') {
    throw new InvalidOptionsError('db', 'must be a Kysely instance');
  }
  if (schema !== undefined && typeof schema !== 'string') throw new InvalidOptionsError('schema', 'must be a string');
  const delivery = options.delivery ?? 'outbox';
  if (delivery !== 'outbox' && delivery !== 'half-message') {
    throw new InvalidOptionsError('delivery', `must be 'outbox' or 'half-message', got ${JSON.stringify(delivery)}`);
  }
  const transactionalTopics = topicsOption(options.transactionalTopics, delivery);
  const relay = options.relay ?? true;
  if (typeof relay !== 'boolean' && (relay === null || typeof relay !== 'object')) {
    throw new InvalidOptionsError('relay', 'must be a boolean or relay options');
  }
  if (namespace !== undefined && typeof namespace !== 'string') throw new InvalidOptionsError('namespace', 'must be a string');
  if (logger !== undefined && (logger === null || typeof logger !== 'object' || typeof logger.error !== 'function' || typeof logger.warn !== 'function')) {
    throw new InvalidOptionsError('logger', 'must have info(), warn() and error() methods');
  }
  const shutdownTimeoutMs = options.shutdownTimeoutMs === undefined ? DEFAULT_SHUTDOWN_TIMEOUT_MS : options.shutdownTimeoutMs;
  if (!Number.isInteger(shutdownTimeoutMs) || shutdownTimeoutMs < 1 || shutdownTimeoutMs > MAX_TIMER_MS) {
    throw new InvalidOptionsError('shutdownTimeoutMs', `must be a positive integer of ms up to ${MAX_TIMER_MS}, got ${String(shutdownTimeoutMs)}`);
  }
  return {
    endpoints,
    db,
    schema: schema ?? DEFAULT_SCHEMA,
    migrate: booleanOption(options.migrate, 'migrate', true),
    delivery,
    transactionalTopics,
    relay: relay === true ? {} : relay,
    consumers: booleanOption(options.consumers, 'consumers', true),
    namespace,
    logger,
    shutdownTimeoutMs,
    security: securityOptions(options),
  };
}

function booleanOption(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidOptionsError(name, 'must be a boolean');
  return value;
}

function topicsOption(value: unknown, delivery: Delivery): readonly string[] {
  if (value === undefined) return [];
  if (delivery !== 'half-message') throw new InvalidOptionsError('transactionalTopics', "is only used with delivery: 'half-message'");
  if (!Array.isArray(value)) throw new InvalidOptionsError('transactionalTopics', 'must be an array of topic names');
  for (const [i, topic] of value.entries()) {
    const violation = checkTopicName(topic);
    if (violation) throw new InvalidOptionsError(`transactionalTopics[${i}]`, violation.problem);
  }
  return Object.freeze([...new Set(value as string[])]);
}
