import type { Logger } from 'pino';
import type { StoredTraceEvent } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import type { MessageEvent } from '../views/index.js';
import type { TraceRecorder } from './message-events.js';
import type { TraceSettings } from './trace-settings.js';

/** Events written per commit at most. */
const MAX_EVENTS_PER_COMMIT = 4096;
/** Events held while the store cannot take them; beyond this the oldest are dropped (and logged). */
const MAX_BUFFERED = 200_000;
const RETRY_MS = 1000;
/** How long events gather before a commit is started for them. */
const GATHER_MS = 10;
/** Trace commits (each up to {@link MAX_EVENTS_PER_COMMIT} events) retention drops per pass. */
const TRIM_COMMITS_PER_PASS = 16;

/**
 * Records trace events durably: they are buffered as they come and written in the background, a
 * batch per commit through the store's group commit (so they share the fsync of whatever else is
 * being written), one commit in flight at a time. Events not yet durable are still part of
 * {@link pending}, so a trace read at once is complete.
 */
export class TraceWriter implements TraceRecorder {
  #seq: number;
  #buffer: StoredTraceEvent[] = [];
  #inFlight: StoredTraceEvent[] = [];
  #flushing: Promise<void> | undefined;
  #scheduled = false;
  #retry: NodeJS.Timeout | undefined;
  #trimming = false;
  #dropped = 0;
  #closed = false;

  constructor(
    private readonly store: Store,
    private readonly settings: TraceSettings,
    private readonly log: Logger,
  ) {
    this.#seq = store.lastTraceSeq();
  }

  records(topic: string): boolean {
    return this.settings.topics === undefined || this.settings.topics.has(topic);
  }

  add(event: MessageEvent): void {
    this.#buffer.push(stored(event, ++this.#seq));
    if (this.#buffer.length > MAX_BUFFERED) {
      const drop = this.#buffer.length - MAX_BUFFERED;
      this.#buffer.splice(0, drop);
      if (this.#dropped === 0) this.log.error({ buffered: MAX_BUFFERED }, 'trace events cannot be written and the buffer is full: the oldest are dropped');
      this.#dropped += drop;
    }
    this.#schedule();
  }

  /** Events of `messageId` not durable yet, oldest first. */
  pending(messageId: string): StoredTraceEvent[] {
    const out: StoredTraceEvent[] = [];
    for (const event of this.#inFlight) if (event.messageId === messageId) out.push(event);
    for (const event of this.#buffer) if (event.messageId === messageId) out.push(event);
    return out;
  }

  /** Drops a bounded amount of what is older than the trace retention; call periodically. */
  async trim(now: number): Promise<void> {
    if (this.settings.retentionMs <= 0 || this.#trimming) return;
    const before = now - this.settings.retentionMs;
    const oldest = this.store.oldestTraceAt();
    if (oldest === undefined || oldest >= before) return;
    this.#trimming = true;
    try {
      await this.store.commit({ trimTrace: { before, limit: TRIM_COMMITS_PER_PASS } });
    } finally {
      this.#trimming = false;
    }
  }

  /** Writes what is buffered (one attempt per batch) and stops. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    while (this.#flushing) await this.#flushing;
    while (this.#buffer.length > 0) {
      if (!(await this.#flush())) break;
    }
    if (this.#buffer.length > 0) this.log.error({ events: this.#buffer.length }, 'trace events could not be written before the broker stopped');
  }

  #schedule(): void {
    if (this.#scheduled || this.#flushing || this.#retry || this.#closed) return;
    this.#scheduled = true;
    // A short wait gathers more events per commit: fewer, larger writes beside the hot path's.
    setTimeout(() => {
      this.#scheduled = false;
      this.#flushing = this.#flush().then((ok) => {
        this.#flushing = undefined;
        if (!ok) {
          this.#retry = setTimeout(() => {
            this.#retry = undefined;
            this.#schedule();
          }, RETRY_MS);
          this.#retry.unref();
        } else if (this.#buffer.length > 0) this.#schedule();
      });
    }, GATHER_MS).unref();
  }

  /** Writes the oldest buffered batch; false when the store refused it (it stays buffered, first). */
  async #flush(): Promise<boolean> {
    const batch = this.#buffer.splice(0, MAX_EVENTS_PER_COMMIT);
    if (batch.length === 0) return true;
    this.#inFlight = batch;
    try {
      await this.store.commit({ trace: batch });
      if (this.#dropped > 0) {
        this.log.warn({ dropped: this.#dropped }, 'trace events are written again; some were dropped while the store refused them');
        this.#dropped = 0;
      }
      return true;
    } catch (error) {
      this.#buffer = batch.concat(this.#buffer);
      this.log.error({ err: error, events: batch.length }, 'writing trace events failed; retrying');
      return false;
    } finally {
      this.#inFlight = [];
    }
  }
}

function stored(event: MessageEvent, seq: number): StoredTraceEvent {
  const out: { -readonly [K in keyof StoredTraceEvent]: StoredTraceEvent[K] } = { messageId: event.messageId, seq, type: event.type, at: event.at, topic: event.topic };
  if (event.group !== undefined) out.group = event.group;
  if (event.clientId !== undefined) out.clientId = event.clientId;
  if (event.attempt !== undefined) out.attempt = event.attempt;
  if (event.note !== undefined) out.note = event.note;
  return out;
}
