import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { createTransactionAdmin } from '@txmq/broker/client';
import type { Outbox, OutboxStats } from '@txmq/outbox';
import type { ResolvedOptions } from '../options.js';
import { TXMQ_OUTBOX, TXMQ_RESOLVED_OPTIONS } from '../tokens.js';

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
}

/** What a check reports besides its status. */
export interface TxmqHealthData {
  readonly endpoint: string;
  readonly broker: 'reachable' | 'unreachable';
  /** Outbox rows not yet published (absent when the outbox could not be read). */
  readonly pending?: number;
  readonly oldestPendingAgeMs?: number;
  readonly parked?: number;
  /** Why the status is not `up`. */
  readonly message?: string;
}

const DEFAULTS = { timeoutMs: 2000, degradedAfterMs: 60_000 } as const;

/**
 * A `@nestjs/terminus` health indicator for txmq: the broker is reachable (a gRPC connection can be
 * made within `timeoutMs`) and the outbox is not backed up (`outbox.stats()`). `down` when the
 * broker is unreachable, the outbox cannot be read, or the oldest pending row is older than
 * `downAfterMs`; `degraded` when it is older than `degradedAfterMs` or more than `maxPending` rows
 * are pending; `up` otherwise. Import it from `@txmq/nest/health` (the main entry does not load
 * terminus) and list it in the `providers` of a module that imports `TerminusModule` and sees
 * `TxmqModule`'s exports.
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
  ) {}

  /** Checks the broker and the outbox; the result is keyed by `key` (default `txmq`). */
  async isHealthy<const Key extends string = 'txmq'>(key?: Key, thresholds: TxmqHealthOptions = {}): Promise<HealthIndicatorResult<Key>> {
    const { downAfterMs, maxPending } = thresholds;
    const timeoutMs = thresholds.timeoutMs ?? DEFAULTS.timeoutMs;
    const degradedAfterMs = thresholds.degradedAfterMs ?? DEFAULTS.degradedAfterMs;
    const session = this.indicators.check((key ?? 'txmq') as Key);
    const endpoint = this.options.endpoints;
    const [reachable, stats] = await Promise.all([this.#reachable(timeoutMs), this.outbox.stats().catch((error: unknown) => error)]);
    const broker = reachable ? 'reachable' : 'unreachable';
    if (!isStats(stats)) {
      return session.down({ endpoint, broker, message: `the outbox could not be read: ${describe(stats)}` } satisfies TxmqHealthData);
    }
    const data = { endpoint, broker, pending: stats.pending, oldestPendingAgeMs: stats.oldestPendingAgeMs, parked: stats.parked } as const;
    const age = stats.oldestPendingAgeMs;
    if (!reachable) return session.down({ ...data, message: `the broker at ${endpoint} is unreachable (no connection within ${timeoutMs} ms)` });
    if (downAfterMs !== undefined && stats.pending > 0 && age >= downAfterMs) {
      return session.down({ ...data, message: `the oldest pending outbox row is ${age} ms old (downAfterMs = ${downAfterMs})` });
    }
    if (stats.pending > 0 && age >= degradedAfterMs) {
      return session.degraded({ ...data, message: `the oldest pending outbox row is ${age} ms old (degradedAfterMs = ${degradedAfterMs})` });
    }
    if (maxPending !== undefined && stats.pending > maxPending) {
      return session.degraded({ ...data, message: `${stats.pending} outbox rows are pending (maxPending = ${maxPending})` });
    }
    return session.up(data);
  }

  async #reachable(timeoutMs: number): Promise<boolean> {
    // Only its connect is used: start() succeeds once an HTTP/2 connection to the endpoint is made.
    const probe = createTransactionAdmin({ endpoints: this.options.endpoints, startupTimeoutMs: timeoutMs });
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

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
