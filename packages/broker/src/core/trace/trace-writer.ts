import type { Logger } from 'pino';
import type { StoredTraceEvent } from '../../store/records.js';
import type { Store, WriteBatch } from '../../store/store.js';
import type { Mutable } from '../mutable.js';
import type { MessageEvent } from '../views/index.js';
import type { TraceRecorder } from './message-events.js';
import type { TraceSettings } from './trace-settings.js';

/** Events written per commit at most. */
const MAX_EVENTS_PER_COMMIT = 4096;
/** Events held while the store cannot take them; beyond this the oldest are dropped (counted and logged). */
const MAX_BUFFERED = 200_000;
/** A full buffer drops this many of its oldest events at once, so an add does not shift the whole buffer each time. */
const DROP_CHUNK = 4096;
/** How long events gather before a commit is started for them (not when a full commit's worth is buffered). */
const GATHER_MS = 10;
/** The first retry of a failed write waits this long; each further failure doubles it, up to {@link RETRY_MAX_MS}. */
const RETRY_MS = 1000;
const RETRY_MAX_MS = 30_000;
/** While writes keep failing, a summary is logged this often. */
const FAILURE_SUMMARY_MS = 60_000;
/** Retention drops about this many events per commit (whole trace commits)... */
const TRIM_EVENTS_PER_COMMIT = 8192;
/** ...and about this many per pass, in several commits; each trace write also drops twice its own size. */
const TRIM_EVENTS_PER_PASS = 8 * TRIM_EVENTS_PER_COMMIT;

/** Options of {@link TraceWriter}. */
export interface TraceWriterOptions {
  /** The clock the trace retention is measured on (default `Date.now`). */
  readonly now?: () => number;
  /** Wait before the first retry of a failed write (default 1 s); it doubles per failure up to `retryMaxMs` (default 30 s). */
  readonly retryMs?: number;
  readonly retryMaxMs?: number;
}

/**
 * Records trace events durably, best effort: they are buffered as they come and written in the
 * background, a batch per commit through the store's group commit (so they share the fsync of
 * whatever else is being written), one commit in flight at a time. Events not yet durable are
 * still part of {@link pending}, so a trace read at once is complete; a crash loses those (about
 * the last 10 ms). While the store refuses writes, events wait in a bounded buffer and writes are
 * retried with backoff; beyond the bound the oldest are dropped and counted ({@link dropped}).
 *
 * Retention rides along: each trace commit also drops twice as many events older than the
 * retention as it writes, and {@link trim} (run every second) drops a bounded amount of what is
 * left, so retention keeps up with any steady rate of traced traffic.
 */
export class TraceWriter implements TraceRecorder {
  readonly #now: () => number;
  readonly #retryMs: number;
  readonly #retryMaxMs: number;
  #seq: number;
  #buffer: StoredTraceEvent[] = [];
  #inFlight: StoredTraceEvent[] = [];
  #flushing: Promise<void> | undefined;
  #gather: NodeJS.Timeout | undefined;
  #retry: NodeJS.Timeout | undefined;
  /** Wait before the next retry; 0 while writes succeed. */
  #retryDelay = 0;
  #failures = 0;
  #summaryAt = 0;
  #trimming = false;
  #dropped = 0;
  /** Dropped since the last log line that said how many. */
  #droppedUnlogged = 0;
  #closed = false;
  /** Events added after {@link close} (counted as dropped). */
  #afterClose = 0;

  constructor(
    private readonly store: Store,
    private readonly settings: TraceSettings,
    private readonly log: Logger,
    options: TraceWriterOptions = {},
  ) {
    this.#seq = store.lastTraceSeq();
    this.#now = options.now ?? Date.now;
    this.#retryMs = options.retryMs ?? RETRY_MS;
    this.#retryMaxMs = options.retryMaxMs ?? RETRY_MAX_MS;
  }

  records(topic: string): boolean {
    return this.settings.topics === undefined || this.settings.topics.has(topic);
  }

  add(event: MessageEvent): void {
    if (this.#closed) {
      if (this.#afterClose++ === 0) this.log.warn({ type: event.type, messageId: event.messageId }, 'a trace event came after the trace writer closed: it is not recorded');
      this.#dropped += 1;
      return;
    }
    this.#buffer.push(stored(event, ++this.#seq));
    if (this.#buffer.length > MAX_BUFFERED) this.#dropOldest(DROP_CHUNK);
    if (this.#gather && this.#buffer.length >= MAX_EVENTS_PER_COMMIT) {
      clearTimeout(this.#gather);
      this.#gather = undefined;
    }
    this.#schedule();
  }

  /** Trace events dropped since the start: the buffer was full, or they came after {@link close}. */
  dropped(): number {
    return this.#dropped;
  }

  /** Events of `messageId` not durable yet, oldest first. */
  pending(messageId: string): StoredTraceEvent[] {
    const out: StoredTraceEvent[] = [];
    for (const event of this.#inFlight) if (event.messageId === messageId) out.push(event);
    for (const event of this.#buffer) if (event.messageId === messageId) out.push(event);
    return out;
  }

  /**
   * Drops what is older than the trace retention, in commits of about {@link TRIM_EVENTS_PER_COMMIT}
   * events, about {@link TRIM_EVENTS_PER_PASS} per call at most; call periodically.
   */
  async trim(now: number = this.#now()): Promise<void> {
    if (this.settings.retentionMs <= 0 || this.#trimming) return;
    const before = now - this.settings.retentionMs;
    this.#trimming = true;
    try {
      for (let dropped = 0; dropped < TRIM_EVENTS_PER_PASS; dropped += TRIM_EVENTS_PER_COMMIT) {
        const oldest = this.store.oldestTraceAt();
        if (oldest === undefined || oldest >= before) return;
        await this.store.commit({ trimTrace: { before, limit: TRIM_EVENTS_PER_COMMIT } });
      }
    } finally {
      this.#trimming = false;
    }
  }

  /** Writes what is buffered (one attempt per batch) and stops; what cannot be written is logged and counted as dropped. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#gather);
    clearTimeout(this.#retry);
    this.#gather = this.#retry = undefined;
    while (this.#flushing) await this.#flushing;
    while (this.#buffer.length > 0) {
      if (!(await this.#flush())) break;
    }
    const lost = this.#buffer.length;
    this.#buffer = [];
    this.#dropped += lost;
    this.#droppedUnlogged += lost;
    if (this.#droppedUnlogged > 0) this.log.error({ unwritten: lost, dropped: this.#droppedUnlogged, droppedTotal: this.#dropped }, 'trace events were lost: they could not be written before the broker stopped, or were dropped from the full buffer');
    this.#droppedUnlogged = 0;
  }

  #schedule(): void {
    if (this.#gather || this.#flushing || this.#retry || this.#closed) return;
    // A short wait gathers more events per commit: fewer, larger writes beside the hot path's.
    const wait = this.#buffer.length >= MAX_EVENTS_PER_COMMIT ? 0 : GATHER_MS;
    this.#gather = setTimeout(() => {
      this.#gather = undefined;
      this.#flushing = this.#flush().then((ok) => {
        this.#flushing = undefined;
        if (this.#closed) return;
        if (ok) {
          if (this.#buffer.length > 0) this.#schedule();
          return;
        }
        this.#retry = setTimeout(() => {
          this.#retry = undefined;
          this.#schedule();
        }, this.#retryDelay);
        this.#retry.unref();
      });
    }, wait);
    this.#gather.unref();
  }

  /** Writes the oldest buffered batch; false when the store refused it (it stays buffered, first). */
  async #flush(): Promise<boolean> {
    const batch = this.#buffer.splice(0, MAX_EVENTS_PER_COMMIT);
    if (batch.length === 0) return true;
    this.#inFlight = batch;
    try {
      await this.store.commit(this.#withTrim({ trace: batch }, 2 * batch.length));
      this.#recovered();
      return true;
    } catch (error) {
      this.#buffer = batch.concat(this.#buffer);
      if (this.#buffer.length > MAX_BUFFERED) this.#dropOldest(this.#buffer.length - MAX_BUFFERED);
      this.#failed(error, batch.length);
      return false;
    } finally {
      this.#inFlight = [];
    }
  }

  /** `batch` with a trim of up to `limit` events older than the retention, when some are. */
  #withTrim(batch: WriteBatch, limit: number): WriteBatch {
    if (this.settings.retentionMs <= 0) return batch;
    const before = this.#now() - this.settings.retentionMs;
    const oldest = this.store.oldestTraceAt();
    return oldest !== undefined && oldest < before ? { ...batch, trimTrace: { before, limit } } : batch;
  }

  #dropOldest(count: number): void {
    this.#buffer.splice(0, count);
    if (this.#droppedUnlogged === 0) {
      this.log.error({ buffered: MAX_BUFFERED }, 'trace events cannot be written and the buffer is full: the oldest are dropped (counted in the dropped trace events)');
    }
    this.#dropped += count;
    this.#droppedUnlogged += count;
  }

  #failed(error: unknown, events: number): void {
    this.#failures += 1;
    const now = Date.now();
    if (this.#retryDelay === 0) {
      this.#retryDelay = this.#retryMs;
      this.#summaryAt = now;
      this.log.error({ err: error, events, buffered: this.#buffer.length }, `writing trace events failed; retrying in ${this.#retryDelay} ms, backing off up to ${this.#retryMaxMs} ms`);
      return;
    }
    this.#retryDelay = Math.min(this.#retryMaxMs, this.#retryDelay * 2);
    if (now - this.#summaryAt >= FAILURE_SUMMARY_MS) {
      this.#summaryAt = now;
      this.log.error({ err: error, failures: this.#failures, buffered: this.#buffer.length, dropped: this.#droppedUnlogged }, 'writing trace events still fails; retrying');
      this.#droppedUnlogged = 0;
    }
  }

  #recovered(): void {
    if (this.#retryDelay === 0 && this.#droppedUnlogged === 0) return;
    this.log.warn({ failures: this.#failures, dropped: this.#droppedUnlogged }, 'trace events are written again');
    this.#retryDelay = 0;
    this.#failures = 0;
    this.#droppedUnlogged = 0;
  }
}

function stored(event: MessageEvent, seq: number): StoredTraceEvent {
  const out: Mutable<StoredTraceEvent> = { messageId: event.messageId, seq, type: event.type, at: event.at, topic: event.topic };
  if (event.group !== undefined) out.group = event.group;
  if (event.clientId !== undefined) out.clientId = event.clientId;
  if (event.attempt !== undefined) out.attempt = event.attempt;
  if (event.note !== undefined) out.note = event.note;
  return out;
}
