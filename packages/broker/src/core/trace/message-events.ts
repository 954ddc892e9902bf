import type { Logger } from 'pino';
import type { MessageEvent, MessageEventListener } from '../views/index.js';

/** Where durable trace events go (the trace writer). */
export interface TraceRecorder {
  /** Whether events of messages of `topic` are recorded. */
  records(topic: string): boolean;
  add(event: MessageEvent): void;
}

/**
 * The core's message events: components report each step of a message's life here; listeners get
 * them in batches on a later turn of the event loop (a listener that throws is logged and keeps
 * its subscription), and the ones that cannot be derived from a stored record go to the trace
 * recorder at once.
 *
 * Components ask {@link wants} before building an event, so with no listener and nothing to
 * record the hot path builds nothing.
 */
export class MessageEvents {
  readonly #listeners = new Set<MessageEventListener>();
  #recorder: TraceRecorder | undefined;
  #batch: MessageEvent[] = [];
  #scheduled = false;

  constructor(private readonly log: Logger) {}

  /** Sets where durable events go. */
  record(recorder: TraceRecorder | undefined): void {
    this.#recorder = recorder;
  }

  /**
   * Whether an event of a message of `topic` (its trace topic, see {@link emit}) is wanted: by a
   * listener, or (`durable`: it cannot be derived from a stored record) by the recorder, when it
   * records that topic.
   */
  wants(durable: boolean, topic: string): boolean {
    return this.#listeners.size > 0 || (durable && this.#recorder !== undefined && this.#recorder.records(topic));
  }

  /**
   * Reports an event. `durable` events are recorded unless their message's topic (`traceTopic`,
   * by default the event's: the origin topic for a dead-lettering) is not traced.
   */
  emit(event: MessageEvent, durable: boolean, traceTopic: string = event.topic): void {
    if (durable && this.#recorder?.records(traceTopic)) this.#recorder.add(event);
    if (this.#listeners.size === 0) return;
    this.#batch.push(event);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#deliver());
    }
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: MessageEventListener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  #deliver(): void {
    this.#scheduled = false;
    const batch = this.#batch;
    this.#batch = [];
    for (const listener of this.#listeners) {
      try {
        listener(batch);
      } catch (error) {
        this.log.error({ err: error }, 'a message event listener threw; it stays subscribed');
      }
    }
  }
}
