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
  readonly #caps: () => BatchCaps;
  readonly #dispatch: (batch: T[]) => Promise<void>;
  #queue: T[] = [];
  #queuedBytes = 0;
  #inFlight = 0;

  /** `caps` is read before every batch is taken (the broker's limits may arrive later). */
  constructor(caps: () => BatchCaps, dispatch: (batch: T[]) => Promise<void>) {
    this.#caps = caps;
    this.#dispatch = dispatch;
  }

  /** Queues `item`; dispatches at once when nothing is in flight or the queue fills a batch. */
  add(item: T): void {
    this.#queue.push(item);
    this.#queuedBytes += item.bytes;
    this.#pump();
  }

  #full(caps: BatchCaps): boolean {
    return this.#queue.length >= caps.maxMessages || this.#queuedBytes >= caps.maxBytes;
  }

  #pump(): void {
    for (let caps = this.#caps(); this.#queue.length > 0 && (this.#inFlight === 0 || this.#full(caps)); caps = this.#caps()) {
      const batch = this.#take(caps);
      this.#inFlight++;
      void this.#dispatch(batch).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  #take(caps: BatchCaps): T[] {
    let count = 0;
    let bytes = 0;
    while (count < this.#queue.length && count < caps.maxMessages) {
      const next = this.#queue[count]!.bytes;
      if (count > 0 && bytes + next > caps.maxBytes) break;
      bytes += next;
      count++;
    }
    this.#queuedBytes -= bytes;
    return this.#queue.splice(0, count);
  }
}
