import { InvalidOptionsError, OutboxStateError, PublishError } from '../errors.js';
import type { Outbox } from '../outbox/create-outbox.js';
import { brokerPublisher } from '../publisher/broker-publisher.js';
import { BROKER_SECURITY_OPTIONS, brokerSecurity } from '../publisher/broker-security.js';
import type { Publisher } from '../publisher/publisher.js';
import { isAccessRefusal, logAccessRefusal } from './access-refusal.js';
import { backoffDelay } from './backoff.js';
import { claimRows, type ClaimedRow } from './claim.js';
import { PendingCache } from './metrics/pending-cache.js';
import { registerRelayMetrics } from './metrics/prometheus-metrics.js';
import { DEFAULT_PENDING_CACHE_MS, resolveMetricsOptions, type RelayCounts, type RelayMetrics } from './metrics/relay-metrics.js';
import { CompletionBuffer } from './completion-buffer.js';
import type { NotificationSource, NotificationSubscription } from './notifications.js';
import { publishFailure, type PublishFailure } from './publish-failure.js';
import { PublishWindow, type PublishResult } from './publish-window.js';
import { resolveListen, resolveTuning, type RelayOptions, type ResolvedTuning } from './relay-options.js';
import { sweepSent } from './retention.js';

/** Counters of one relay since `start()`. */
export interface RelayStats {
  readonly state: 'idle' | 'running' | 'stopping' | 'stopped';
  /** Rows leased by this relay. */
  readonly claimed: number;
  /** Rows published successfully. */
  readonly published: number;
  /** Publish attempts that failed (and were retried later or parked). */
  readonly failed: number;
  /**
   * Of those, attempts that failed because of an outage (the transport could not be reached, did
   * not answer in time, or refused access): they are not counted towards parking, and the relay
   * pauses claiming (backing off) until one gets through.
   */
  readonly unavailable: number;
  /** Rows this relay parked; `outbox.parked()` lists them with the error that parked them. */
  readonly parked: number;
  /** Claimed messages not settled yet: being published, or waiting behind an earlier message of their group. */
  readonly inFlight: number;
  /** Sent rows deleted by the retention sweeper. */
  readonly swept: number;
  /** The last error the relay recovered from or reported to `onError` (a failed publish included), if any. */
  readonly lastError: string | undefined;
  /** The latest failed publish: which row, why, and whether the row was parked. */
  readonly lastPublishFailure: PublishFailure | undefined;
}

/** Publishes outbox rows. Create it with {@link createRelay}. */
export interface Relay {
  /**
   * Starts claiming and publishing. Resolves once the relay runs, even if the broker is not
   * reachable yet: the relay connects in the background and reports failures to `onError`,
   * trying again after a backoff that grows with each failure (`backoff`). A broker that refuses
   * the relay's credentials is such a failure (a `PublishError` with `status` 40100, or 40300 for
   * a missing right, naming the reason): the outage shows in `metrics()` and no row is claimed,
   * so every row stays pending until the access is fixed.
   */
  start(): Promise<void>;
  /** Stops claiming, waits for in-flight publishes and writes their outcome, then releases connections. */
  stop(): Promise<void>;
  /** Counters since `start()`. */
  stats(): RelayStats;
  /**
   * The figures the `metrics` option reports to Prometheus, as a plain object: pending rows and
   * the oldest one's age (read from the table with one query, reused for `metrics.pendingCacheMs`),
   * published, failed and parked counts, and whether the relay considers the broker down.
   * Works with or without the `metrics` option.
   */
  metrics(): Promise<RelayMetrics>;
}

/**
 * Creates a relay that publishes committed outbox rows to a txmq broker / RocketMQ 5 proxy at
 * `endpoints`, or to any {@link Publisher}. Run as many relays as you like, in one process or many.
 * Does no I/O: nothing happens until `start()`.
 *
 * @example
 * ```ts
 * const relay = createRelay({ outbox, endpoints: '127.0.0.1:8081', listen: process.env.DATABASE_URL });
 * await relay.start();
 * // ...
 * await relay.stop();
 * ```
 * @throws InvalidOptionsError naming a bad option.
 */
export function createRelay(options: RelayOptions): Relay {
  return new OutboxRelay(options);
}

type Counters = { -readonly [K in keyof Omit<RelayStats, 'state' | 'inFlight' | 'lastError' | 'lastPublishFailure'>]: number };

class OutboxRelay implements Relay {
  readonly #outbox: Outbox;
  readonly #tuning: ResolvedTuning;
  readonly #publisher: Publisher;
  readonly #ownsPublisher: boolean;
  readonly #listen: NotificationSource | undefined;
  readonly #onError: (error: unknown) => void;
  readonly #completions: CompletionBuffer;
  readonly #window: PublishWindow<ClaimedRow>;
  readonly #counters: Counters = { claimed: 0, published: 0, failed: 0, unavailable: 0, parked: 0, swept: 0 };
  #state: RelayStats['state'] = 'idle';
  /** Whether the publisher's `start()` succeeded (rows are claimed only then). */
  #publisherStarted = false;
  #subscription: NotificationSubscription | undefined;
  #loop: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  #sweeper: NodeJS.Timeout | undefined;
  /** The latest claim was full: more rows are waiting, so claim again as soon as the window has room. */
  #backlogged = false;
  #lastError: string | undefined;
  #lastPublishFailure: PublishFailure | undefined;
  /** Consecutive outages of the transport (pauses), reset by a successful publish. */
  #outages = 0;
  /** The publisher's latest `start()` failed (the broker is considered down until one succeeds). */
  #startFailed = false;
  /** Consecutive failed starts of the publisher, which space the next ones out. */
  #startFailures = 0;
  #pausedUntil = 0;
  readonly #pending: PendingCache;
  /** Removes this relay's series from the registry of the `metrics` option, if given. */
  readonly #unregisterMetrics: (() => void) | undefined;
  #wakePending = false;
  #wakeUp: (() => void) | undefined;
  /** Resolves when `stop()` is called, so a publisher start still under way does not hold it up. */
  readonly #stopRequested: Promise<void>;
  #requestStop!: () => void;

  constructor(options: RelayOptions) {
    this.#stopRequested = new Promise<void>((resolve) => (this.#requestStop = resolve));
    if (options === null || typeof options !== 'object') throw new InvalidOptionsError('options', 'must be an object');
    this.#outbox = options.outbox;
    if (this.#outbox === null || typeof this.#outbox !== 'object' || typeof this.#outbox.send !== 'function') {
      throw new InvalidOptionsError('outbox', 'must be the value returned by createOutbox()');
    }
    this.#tuning = resolveTuning(options);
    if (options.publisher !== undefined) {
      const publisher = options.publisher;
      if (publisher === null || typeof publisher !== 'object' || typeof publisher.publish !== 'function') {
        throw new InvalidOptionsError('publisher', 'must be an object with a publish(message) method');
      }
      for (const option of ['endpoints', 'namespace', 'logger', ...BROKER_SECURITY_OPTIONS] as const) {
        if (options[option] !== undefined) {
          throw new InvalidOptionsError(option, 'must not be set together with `publisher` (the publisher decides where messages go)');
        }
      }
      this.#publisher = publisher;
      this.#ownsPublisher = false;
    } else if (options.endpoints !== undefined) {
      // The producer's request timeout is the relay's publish timeout, and is reported as such when bad.
      this.#publisher = brokerPublisher(
        {
          endpoints: options.endpoints,
          ...(options.namespace !== undefined && { namespace: options.namespace }),
          ...(options.logger !== undefined && { logger: options.logger }),
          ...brokerSecurity(options),
          requestTimeoutMs: this.#tuning.publishTimeoutMs,
        },
        { requestTimeoutMs: 'publishTimeoutMs' },
      );
      this.#ownsPublisher = true;
    } else {
      throw new InvalidOptionsError('endpoints', 'is required unless a `publisher` is given (one of the two says where messages go)');
    }
    this.#listen = resolveListen(options.listen);
    if (options.onError !== undefined && typeof options.onError !== 'function') {
      throw new InvalidOptionsError('onError', 'must be a function (error) => void');
    }
    const onError = options.onError;
    const logger = options.publisher === undefined ? options.logger : undefined;
    this.#onError = (error) => {
      this.#lastError = error instanceof Error ? error.message : String(error);
      // Without onError, a refusal of access is still told: nothing else would say why rows wait.
      if (onError === undefined) {
        if (isAccessRefusal(error)) logAccessRefusal(error, logger);
        return;
      }
      try {
        onError(error);
      } catch {
        // A throwing onError must not stop the relay; the error is in stats().lastError anyway.
      }
    };
    this.#window = new PublishWindow<ClaimedRow>({
      maxInFlight: this.#tuning.maxInFlight,
      timeoutMs: this.#tuning.publishTimeoutMs,
      publish: (row) => (row.attempt > this.#tuning.maxAttempts ? Promise.reject(noResultRecorded(row)) : this.#publisher.publish(row)),
      settle: (row, result) => this.#settle(row, result),
      release: (row) => this.#completions.release({ id: row.id, token: row.token }),
      onSettled: () => {
        if (this.#backlogged && this.#window.free >= this.#refillAt) this.#wake();
      },
    });
    this.#completions = new CompletionBuffer({
      db: this.#outbox.db,
      schema: this.#outbox.schema,
      retainSent: this.#tuning.retainSentMs > 0,
      onError: this.#onError,
      onFlushed: (outcome) => {
        this.#wake();
        // Rows backed off by this relay become due again before the next poll: come back for them.
        for (const failure of outcome.failures) if (!failure.park) this.#wakeAfter(failure.delayMs);
      },
    });
    const metrics = options.metrics === undefined ? undefined : resolveMetricsOptions(options.metrics);
    const { db, schema } = this.#outbox;
    this.#pending = new PendingCache({ db, schema, maxAgeMs: metrics?.pendingCacheMs ?? DEFAULT_PENDING_CACHE_MS });
    // Last, so that a constructor that throws leaves nothing registered.
    this.#unregisterMetrics =
      metrics === undefined
        ? undefined
        : registerRelayMetrics(metrics, { schema, counts: () => this.#counts(), pending: () => this.#pending.read(), onError: this.#onError });
  }

  async start(): Promise<void> {
    if (this.#state !== 'idle') throw new OutboxStateError(`relay.start() called while ${this.#state}; a relay starts once`);
    this.#state = 'running';
    if (this.#listen !== undefined) {
      try {
        this.#subscription = await this.#listen.listen(this.#outbox.channel, () => this.#wake(), this.#onError);
      } catch (error) {
        this.#onError(error); // polling keeps the relay correct without the wake-up
      }
    }
    if (this.#tuning.retainSentMs > 0) {
      this.#sweeper = setInterval(() => void this.#sweep(), this.#tuning.sweepIntervalMs);
      this.#sweeper.unref();
    }
    this.#loop = this.#run();
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop().finally(() => this.#unregisterMetrics?.());
    return this.#stopping;
  }

  stats(): RelayStats {
    return {
      state: this.#state,
      ...this.#counters,
      inFlight: this.#window.held,
      lastError: this.#lastError,
      lastPublishFailure: this.#lastPublishFailure,
    };
  }

  async metrics(): Promise<RelayMetrics> {
    const pending = await this.#pending.read();
    return {
      schema: this.#outbox.schema,
      pendingRows: pending.rows,
      oldestPendingAgeSeconds: pending.oldestAgeMs / 1000,
      ...this.#counts(),
    };
  }

  #counts(): RelayCounts {
    const { published, failed, parked } = this.#counters;
    return { published, failed, parked, outage: this.#state === 'running' && (this.#startFailed || this.#outages > 0) };
  }

  async #stop(): Promise<void> {
    if (this.#state === 'idle') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopping';
    this.#requestStop();
    this.#wake();
    clearInterval(this.#sweeper);
    await this.#loop;
    await this.#window.idle();
    const deadline = Date.now() + this.#tuning.leaseMs;
    await this.#completions.drain(() => Date.now() > deadline);
    this.#completions.dispose();
    await this.#subscription?.close().catch(this.#onError);
    if (this.#ownsPublisher) await this.#publisher.close?.().catch(this.#onError);
    this.#state = 'stopped';
  }

  async #run(): Promise<void> {
    const { batchSize, groupDepth, leaseMs } = this.#tuning;
    const { db, schema } = this.#outbox;
    while (this.#state === 'running') {
      let more = false;
      // A wake-up (a commit) ends the sleep early, but not the pause: it is slept out again.
      const pausedFor = this.#pausedUntil - Date.now();
      if (pausedFor > 0) {
        await this.#sleep(pausedFor);
        continue;
      }
      // The transport may be down (or refuse access) at start: nothing is claimed until the publisher has started.
      if (!this.#publisherStarted && !(await this.#startPublisher())) continue;
      // After an outage one row at a time probes the transport; full batches resume once one gets through.
      const probing = this.#outages > 0;
      const capacity = probing ? (this.#window.held === 0 ? 1 : 0) : this.#window.free;
      if (capacity > 0) {
        try {
          const limit = Math.min(batchSize, capacity);
          const rows = await claimRows(db, { schema, limit, groupDepth, leaseMs });
          this.#counters.claimed += rows.length;
          this.#window.admit(rows);
          this.#backlogged = rows.length === limit && !probing;
          more = this.#backlogged && this.#window.free >= this.#refillAt;
        } catch (error) {
          this.#onError(error);
        }
      }
      if (!more && this.#state === 'running') await this.#sleep();
    }
  }

  async #startPublisher(): Promise<boolean> {
    try {
      const starting = Promise.resolve(this.#publisher.start?.()).then(() => true);
      // A start still under way at stop() is abandoned (closing the publisher ends it).
      if (!(await Promise.race([starting, this.#stopRequested.then(() => false)]))) return false;
      this.#publisherStarted = true;
      this.#startFailed = false;
      this.#startFailures = 0;
      return true;
    } catch (error) {
      this.#startFailed = true;
      // The next start waits a backoff that grows with each failure: a broker refusing the
      // relay's credentials answers at once, and must not be asked again every poll.
      this.#startFailures++;
      this.#pausedUntil = Date.now() + Math.max(this.#tuning.pollIntervalMs, backoffDelay(this.#tuning.backoff, this.#startFailures));
      this.#onError(error);
      return false;
    }
  }

  /**
   * While a backlog drains, the next claim waits until this many lanes are free: a full batch, or
   * half the window when a batch is larger, so the next claim runs while the last one publishes.
   */
  get #refillAt(): number {
    return Math.max(1, Math.min(this.#tuning.batchSize, Math.ceil(this.#tuning.maxInFlight / 2)));
  }

  /** Records a settled publish; returns whether the row's group may go on. */
  #settle(row: ClaimedRow, result: PublishResult): boolean {
    const { maxAttempts, backoff } = this.#tuning;
    if (result.ok) {
      this.#counters.published++;
      this.#outages = 0;
      const receipt = result.receipt as { transportMessageId?: string } | undefined;
      this.#completions.succeed({ id: row.id, token: row.token, transportMessageId: receipt?.transportMessageId });
      return true;
    }
    if (row.attempt > maxAttempts) {
      this.#failed(row, publishFailure(result.error, row), { park: true, delayMs: 0, counted: true });
      return false;
    }
    this.#counters.failed++;
    const failure = publishFailure(result.error, row);
    if (failure.error.unavailable) {
      this.#counters.unavailable++;
      this.#failed(row, failure, { park: false, delayMs: this.#pause(), counted: false });
      return false;
    }
    const park = !failure.error.retryable || row.attempt >= maxAttempts;
    this.#failed(row, failure, { park, delayMs: park ? 0 : backoffDelay(backoff, row.attempt), counted: true });
    return false;
  }

  /** Records a failed publish on the row, in the stats, and reports it to `onError`. */
  #failed(row: ClaimedRow, failure: ReturnType<typeof publishFailure>, outcome: { park: boolean; delayMs: number; counted: boolean }): void {
    if (outcome.park) this.#counters.parked++;
    this.#completions.fail({
      id: row.id,
      token: row.token,
      error: failure.text,
      code: failure.code,
      status: failure.status,
      ...outcome,
    });
    this.#lastPublishFailure = {
      id: row.id,
      messageId: row.messageId,
      topic: row.topic,
      attempt: row.attempt,
      error: failure.text,
      code: failure.code,
      status: failure.status,
      parked: outcome.park,
      at: new Date(),
    };
    this.#onError(failure.error);
  }

  /**
   * The transport is unreachable: stop claiming for a backoff that grows with each consecutive
   * outage (failures of publishes already in flight fall into the same pause). Returns how long
   * the pause still lasts, which is also when the failed row becomes due again.
   */
  #pause(): number {
    const now = Date.now();
    if (now >= this.#pausedUntil) {
      this.#outages++;
      this.#pausedUntil = now + backoffDelay(this.#tuning.backoff, this.#outages);
    }
    return this.#pausedUntil - now;
  }

  async #sweep(): Promise<void> {
    try {
      this.#counters.swept += await sweepSent(this.#outbox.db, this.#outbox.schema, this.#tuning.retainSentMs);
    } catch (error) {
      this.#onError(error);
    }
  }

  #sleep(ms = this.#tuning.pollIntervalMs): Promise<void> {
    if (this.#wakePending) {
      this.#wakePending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#wakeUp = undefined;
        resolve();
      }, ms);
      this.#wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Wakes the loop when a row this relay backed off becomes due again (sooner than the next poll). */
  #wakeAfter(delayMs: number): void {
    if (delayMs >= this.#tuning.pollIntervalMs) return;
    setTimeout(() => this.#wake(), delayMs + 5).unref();
  }

  #wake(): void {
    const wakeUp = this.#wakeUp;
    if (wakeUp === undefined) {
      this.#wakePending = true;
      return;
    }
    this.#wakeUp = undefined;
    wakeUp();
  }
}

/** Why a row claimed more than `maxAttempts` times is parked without another publish. */
function noResultRecorded(row: ClaimedRow): PublishError {
  return new PublishError(
    `claimed ${row.attempt} times without a recorded result (a relay crashed or hung while publishing it); parked`,
    { retryable: false, transportCode: 'NO_RESULT_RECORDED' },
  );
}
