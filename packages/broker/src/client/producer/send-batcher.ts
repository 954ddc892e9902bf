/** Caps of one batched SendMessageRequest. */
export interface BatchCaps {
  readonly maxMessages: number;
  /** Bodies and properties; a single larger message still goes, alone. */
  readonly maxBytes: number;
}

/** One message waiting in a {@link SendBatcher}, with what it counts against `maxBytes`. */
export interface Queued {
  readonly bytes: number;
}

/**
 * Groups the messages of one topic into requests without adding latency: a message is dispatched
 * at once when no request of this batcher is in flight; while one is, messages queue and go
 * together as soon as it completes (or at once when they fill a batch by count or bytes).
 * `dispatch` sends one batch and settles its messages; it must not reject.
 */
export class SendBatcher<T extends Queued> {
  readonly #caps: BatchCaps;
  readonly #dispatch: (batch: T[]) => Promise<void>;
  #queue: T[] = [];
  #queuedBytes = 0;
  #inFlight = 0;
  #idle: Array<() => void> = [];

  constructor(caps: BatchCaps, dispatch: (batch: T[]) => Promise<void>) {
    this.#caps = caps;
    this.#dispatch = dispatch;
  }

  /** Requests in flight. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Messages waiting for a request. */
  get queued(): number {
    return this.#queue.length;
  }

  add(item: T): void {
    this.#queue.push(item);
    this.#queuedBytes += item.bytes;
    this.#pump();
  }

  /** Resolves once nothing is queued or in flight. */
  idle(): Promise<void> {
    if (this.#inFlight === 0 && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #full(): boolean {
    return this.#queue.length >= this.#caps.maxMessages || this.#queuedBytes >= this.#caps.maxBytes;
  }

  #pump(): void {
    while (this.#queue.length > 0 && (this.#inFlight === 0 || this.#full())) {
      const batch = this.#take();
      this.#inFlight++;
      void this.#dispatch(batch).finally(() => {
        this.#inFlight--;
        this.#pump();
        if (this.#inFlight === 0 && this.#queue.length === 0) for (const resolve of this.#idle.splice(0)) resolve();
      });
    }
  }

  #take(): T[] {
    let count = 0;
    let bytes = 0;
    while (count < this.#queue.length && count < this.#caps.maxMessages) {
      const next = this.#queue[count]!.bytes;
      if (count > 0 && bytes + next > this.#caps.maxBytes) break;
      bytes += next;
      count++;
    }
    this.#queuedBytes -= bytes;
    return this.#queue.splice(0, count);
  }
}
