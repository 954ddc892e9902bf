import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { createTransactionAdmin } from '@txmq/broker/client';
import type { Outbox, OutboxStats } from '@txmq/outbox';
import type { ConsumerStats } from '../consumers/consumer-stats.js';
import { TxmqConsumerStats } from '../consumers/txmq-consumer-stats.js';
import { describeError } from '../describe-error.js';
import type { ResolvedOptions } from '../options.js';
import { TXMQ_OUTBOX, TXMQ_RESOLVED_OPTIONS } from '../tokens.js';
import { consumerProblems } from './consumer-health.js';

/** Thresholds of {@link TxmqHealthIndicator.isHealthy}. */
export interface TxmqHealthOptions {
  /** How long connecting to the broker may take before it counts as unreachable, in ms (default 2000). */
  readonly timeoutMs?: number;
  /** Oldest pending outbox row at least this old (ms) makes the check `degraded` (default 60 000). */
  readonly degradedAfterMs?: number;
  /** Oldest pending outbox row at least this old (ms) makes the check `down` (default: never). */
  readonly downAfterMs?: number;
  /** More pending outbox rows than this makes the check `degraded` (default: no limit). */
  readonly maxPending?: number;
  /**
   * A consumer group whose last first delivery arrived at least this long (ms) after it was due
   * makes the check `degraded` (default 60 000), while that delivery is recent (`lagWindowMs`).
   */
  readonly maxConsumerLagMs?: number;
  /** A message in flight at a consumer (its handler running, or waiting for `concurrency`) for at least this long (ms) makes the check `degraded` (default 60 000). */
  readonly maxInFlightAgeMs?: number;
  /**
   * How long a consumer group's lag counts after the message that measured it was received, in ms
   * (default 60 000): a group that has received no first delivery for longer is idle, and its
   * last lag no longer makes the check `degraded`.
   */
  readonly lagWindowMs?: number;
}

/** What a check reports besides its status. */
export interface TxmqHealthData {
  readonly endpoint: string;
  readonly broker: 'reachable' | 'unreachable';
  /** Outbox rows not yet published (absent when the outbox could not be read). */
  readonly pending?: number;
  readonly oldestPendingAgeMs?: number;
  readonly parked?: number;
  /** What each consumer group of this process's `@OnMessage` handlers did (absent when none runs). */
  readonly consumers?: readonly ConsumerStats[];
  /** Why the status is not `up`. */
  readonly message?: string;
}

const DEFAULTS = { timeoutMs: 2000, degradedAfterMs: 60_000, maxConsumerLagMs: 60_000, maxInFlightAgeMs: 60_000, lagWindowMs: 60_000 } as const;

/**
 * A `@nestjs/terminus` health indicator for txmq: the broker is reachable (a gRPC connection can be
 * made within `timeoutMs`), the outbox is not backed up (`outbox.stats()`), and the `@OnMessage`
 * consumers keep up (`TxmqConsumerStats.stats()`, measured in this process). `down` when the broker is
 * unreachable, the outbox cannot be read, or the oldest pending row is older than `downAfterMs`;
 * `degraded` when it is older than `degradedAfterMs`, more than `maxPending` rows are pending, a
 * consumer group's recent delivery lag reached `maxConsumerLagMs`, or a message has been in
 * flight for `maxInFlightAgeMs`; `up` otherwise. Import it from `@txmq/nest/health` (the main
 * entry does not load terminus) and list it in the `providers` of a module that imports
 * `TerminusModule` and sees `TxmqModule`'s exports.
 *
 * @example
 * ```ts
 * @Get('health') @HealthCheck()
 * check() { return this.health.check([() => this.txmq.isHealthy('txmq', { degradedAfterMs: 30_000 })]); }
 * ```
 */
@Injectable()
export class TxmqHealthIndicator {
  constructor(
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(TXMQ_OUTBOX) private readonly outbox: Outbox,
    @Inject(TXMQ_RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    @Inject(TxmqConsumerStats) private readonly consumers: TxmqConsumerStats,
  ) {}

  /** Checks the broker, the outbox and the consumers; the result is keyed by `key` (default `txmq`). */
  async isHealthy<const Key extends string = 'txmq'>(key?: Key, thresholds: TxmqHealthOptions = {}): Promise<HealthIndicatorResult<Key>> {
    const { downAfterMs, maxPending } = thresholds;
    const timeoutMs = thresholds.timeoutMs ?? DEFAULTS.timeoutMs;
    const degradedAfterMs = thresholds.degradedAfterMs ?? DEFAULTS.degradedAfterMs;
    const session = this.indicators.check((key ?? 'txmq') as Key);
    const endpoint = this.options.endpoints;
    const [reachable, stats] = await Promise.all([this.#reachable(timeoutMs), this.outbox.stats().catch((error: unknown) => error)]);
    const broker = reachable ? 'reachable' : 'unreachable';
    if (!isStats(stats)) {
      return session.down({ endpoint, broker, message: `the outbox could not be read: ${describeError(stats)}` } satisfies TxmqHealthData);
    }
    const groups = this.consumers.stats();
    const data = {
      endpoint, broker, pending: stats.pending, oldestPendingAgeMs: stats.oldestPendingAgeMs, parked: stats.parked,
      ...(groups.length > 0 && { consumers: groups }),
    } as const;
    const age = stats.oldestPendingAgeMs;
    if (!reachable) return session.down({ ...data, message: `the broker at ${endpoint} is unreachable (no connection within ${timeoutMs} ms)` });
    if (downAfterMs !== undefined && stats.pending > 0 && age >= downAfterMs) {
      return session.down({ ...data, message: `the oldest pending outbox row is ${age} ms old (downAfterMs = ${downAfterMs})` });
    }
    const problems: string[] = [];
    if (stats.pending > 0 && age >= degradedAfterMs) problems.push(`the oldest pending outbox row is ${age} ms old (degradedAfterMs = ${degradedAfterMs})`);
    if (maxPending !== undefined && stats.pending > maxPending) problems.push(`${stats.pending} outbox rows are pending (maxPending = ${maxPending})`);
    problems.push(...consumerProblems(groups, {
      maxConsumerLagMs: thresholds.maxConsumerLagMs ?? DEFAULTS.maxConsumerLagMs,
      maxInFlightAgeMs: thresholds.maxInFlightAgeMs ?? DEFAULTS.maxInFlightAgeMs,
      lagWindowMs: thresholds.lagWindowMs ?? DEFAULTS.lagWindowMs,
    }));
    return problems.length > 0 ? session.degraded({ ...data, message: problems.join('; ') }) : session.up(data);
  }

  async #reachable(timeoutMs: number): Promise<boolean> {
    // Only its connect is used: start() succeeds once an HTTP/2 connection to the endpoint is made.
    // Over TLS when the module's clients are: a plaintext probe of a TLS port fails.
    const probe = createTransactionAdmin({ endpoints: this.options.endpoints, ...this.options.security, startupTimeoutMs: timeoutMs });
    try {
      await probe.start();
      return true;
    } catch {
      return false;
    } finally {
      await probe.close();
    }
  }
}

function isStats(value: unknown): value is OutboxStats {
  return value !== null && typeof value === 'object' && typeof (value as Partial<OutboxStats>).pending === 'number';
}
