import type { ClientLogger } from '@txmq/broker/client';
import { InvalidOptionsError } from '../errors.js';
import type { Outbox } from '../outbox/create-outbox.js';
import type { BrokerSecurityOptions } from '../publisher/broker-security.js';
import type { Publisher } from '../publisher/publisher.js';
import type { BackoffOptions } from './backoff.js';
import type { RelayMetricsOptions } from './metrics/relay-metrics.js';
import { pgNotifications, type NotificationSource } from './notifications.js';

/** Default of {@link RelayTuning.pollIntervalMs}. */
export const DEFAULT_RELAY_POLL_INTERVAL_MS = 500;

/** Settings shared by both forms of {@link RelayOptions}. */
export interface RelayTuning {
  /** Most rows claimed per claim statement (default 128). */
  readonly batchSize?: number;
  /**
   * Most publishes running at once (default 256). The relay hands that many messages to the
   * publisher without waiting for one another, so a batching producer (the default publisher's
   * sends concurrent messages to one topic as one request, up to 128) gets full requests. Messages
   * of one group count once: they go one after another, each after the previous one was accepted.
   */
  readonly maxInFlight?: number;
  /**
   * Most rows of one message group claimed at once (default 16); they wait in the relay and are
   * published one after another, in order.
   */
  readonly groupDepth?: number;
  /** Polling interval when idle, in ms (default 500). Polling is the source of truth. */
  readonly pollIntervalMs?: number;
  /** How long a claim holds rows, in ms (default 30,000). Must exceed `publishTimeoutMs`. */
  readonly leaseMs?: number;
  /**
   * A publish not settled after this long has timed out, in ms (default 10,000). A timeout counts
   * as an outage, not as an attempt of the row. With `endpoints` it is also the producer's request
   * timeout, so it must be at least 1000.
   */
  readonly publishTimeoutMs?: number;
  /** Claims after which a row that keeps failing is parked (default 10). */
  readonly maxAttempts?: number;
  /** Retry timing of failed rows. */
  readonly backoff?: BackoffOptions;
  /**
   * How long published rows are kept, in ms. `0` (the default) deletes a row as soon as it is
   * published; a positive value marks it sent and a sweeper deletes it after that long.
   */
  readonly retainSentMs?: number;
  /** How often the sweeper runs when `retainSentMs > 0`, in ms (default 60,000). */
  readonly sweepIntervalMs?: number;
  /**
   * Wake-up on commit: a connection string / pg config for a dedicated LISTEN connection, or a
   * {@link NotificationSource} (e.g. `pgliteNotifications(pglite)`). Without it the relay polls.
   */
  readonly listen?: string | NotificationSource | { readonly connectionString: string };
  /**
   * Called with every error the relay recovers from by itself: each failed publish (a
   * `PublishError` naming the message, with `transportCode` and `status` when known; the row is
   * retried or parked), claim or mark failures, a lost LISTEN connection, a failed connection of
   * the publisher (retried with `backoff`). Must not throw. Without it the relay still tells a
   * refusal of access (the broker refusing its `credentials`, or a user without the right) to
   * `logger` (stderr by default), since rows would wait without a word.
   */
  readonly onError?: (error: unknown) => void;
  /**
   * Report the relay's figures to a prom-client registry (`txmq_relay_pending_rows`,
   * `txmq_relay_oldest_pending_age_seconds`, `txmq_relay_published_total`,
   * `txmq_relay_failed_total`, `txmq_relay_parked_total`, `txmq_relay_outage`, labelled with the
   * outbox's `schema`), from `createRelay` until `stop()`. `relay.metrics()` works without it.
   */
  readonly metrics?: RelayMetricsOptions;
}

/**
 * Options of `createRelay`: an outbox plus either broker endpoints (with `credentials` and TLS
 * options for a secured broker) or a custom publisher.
 */
export type RelayOptions = RelayTuning &
  (
    | (BrokerSecurityOptions & {
        readonly outbox: Outbox;
        readonly endpoints: string;
        /** RocketMQ namespace to publish in (default none), as the consumers' namespace. */
        readonly namespace?: string;
        /** Where the relay's producer logs (default warnings and errors on stderr). */
        readonly logger?: ClientLogger;
        readonly publisher?: undefined;
      })
    | {
        readonly outbox: Outbox;
        readonly publisher: Publisher;
        readonly endpoints?: undefined;
        readonly namespace?: undefined;
        readonly logger?: undefined;
        readonly credentials?: undefined;
        readonly sslEnabled?: undefined;
        readonly tlsRootCertFile?: undefined;
      }
  );

/** {@link RelayTuning} with every default applied. */
export interface ResolvedTuning {
  readonly batchSize: number;
  readonly maxInFlight: number;
  readonly groupDepth: number;
  readonly pollIntervalMs: number;
  readonly leaseMs: number;
  readonly publishTimeoutMs: number;
  readonly maxAttempts: number;
  readonly backoff: Required<BackoffOptions>;
  readonly retainSentMs: number;
  readonly sweepIntervalMs: number;
}

export function resolveTuning(options: RelayTuning): ResolvedTuning {
  const tuning: ResolvedTuning = {
    batchSize: positiveInt(options.batchSize, 'batchSize', 128),
    maxInFlight: positiveInt(options.maxInFlight, 'maxInFlight', 256),
    groupDepth: positiveInt(options.groupDepth, 'groupDepth', 16),
    pollIntervalMs: positiveInt(options.pollIntervalMs, 'pollIntervalMs', DEFAULT_RELAY_POLL_INTERVAL_MS),
    leaseMs: positiveInt(options.leaseMs, 'leaseMs', 30_000),
    publishTimeoutMs: positiveInt(options.publishTimeoutMs, 'publishTimeoutMs', 10_000),
    maxAttempts: positiveInt(options.maxAttempts, 'maxAttempts', 10),
    backoff: {
      initialMs: positiveInt(options.backoff?.initialMs, 'backoff.initialMs', 1_000),
      maxMs: positiveInt(options.backoff?.maxMs, 'backoff.maxMs', 60_000),
      factor: positiveNumber(options.backoff?.factor, 'backoff.factor', 2),
    },
    retainSentMs: nonNegativeInt(options.retainSentMs, 'retainSentMs', 0),
    sweepIntervalMs: positiveInt(options.sweepIntervalMs, 'sweepIntervalMs', 60_000),
  };
  if (tuning.publishTimeoutMs >= tuning.leaseMs) {
    throw new InvalidOptionsError(
      'publishTimeoutMs',
      `must be below leaseMs (${tuning.leaseMs}), or a lease could expire while its publish is still running`,
    );
  }
  return tuning;
}

function positiveInt(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0 || value > 2_147_483_647) {
    throw new InvalidOptionsError(name, `must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function nonNegativeInt(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0 || value > 2_147_483_647) {
    throw new InvalidOptionsError(name, `must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

function positiveNumber(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1) {
    throw new InvalidOptionsError(name, `must be a finite number >= 1, got ${String(value)}`);
  }
  return value;
}

/** The notification source `listen` describes, if any. */
export function resolveListen(listen: RelayTuning['listen'] | null): NotificationSource | undefined {
  if (listen === undefined) return undefined;
  if (typeof listen === 'string') return pgNotifications(listen);
  if (listen !== null && typeof listen === 'object') {
    if (typeof (listen as Partial<NotificationSource>).listen === 'function') return listen as NotificationSource;
    const { connectionString } = listen as { connectionString?: unknown };
    if (typeof connectionString === 'string') return pgNotifications(connectionString);
  }
  throw new InvalidOptionsError('listen', 'must be a connection string, { connectionString } or a NotificationSource');
}
