import type { EntityKind, EntityKinds, EntityWrite, Store, TopicBounds, WriteBatch } from './store.js';
import type { MessageRecord } from './records.js';

interface Queued {
  readonly batches: WriteBatch[];
  readonly done: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit over a {@link Store}: a commit made while none is in flight starts at once (no added
 * latency when idle); commits made while one is being written wait and are then written together,
 * as one atomic durable commit, so a loaded broker pays one flush for many requests.
 *
 * Invariant: batches reach the inner store in the order `commit` was called (offsets assigned in
 * call order stay in order), and each caller's batch is applied entirely or not at all: it shares
 * the outcome of the one commit it was merged into.
 */
export class GroupCommit implements Store {
  /** Settles (never rejects) when the commit being written ends; undefined when none is. */
  #inFlight: Promise<void> | undefined;
  #queued: Queued | undefined;

  constructor(private readonly inner: Store) {}

  topics(): string[] {
    return this.inner.topics();
  }

  topicBounds(topic: string): TopicBounds {
    return this.inner.topicBounds(topic);
  }

  readMessage(topic: string, offset: number): MessageRecord | undefined {
    return this.inner.readMessage(topic, offset);
  }

  offsetAtTime(topic: string, time: number): number {
    return this.inner.offsetAtTime(topic, time);
  }

  loadEntities<K extends EntityKind>(kind: K): EntityKinds[K][] {
    return this.inner.loadEntities(kind);
  }

  commit(batch: WriteBatch): Promise<void> {
    if (!this.#inFlight) return this.#write([batch]);
    this.#queued ??= queued();
    this.#queued.batches.push(batch);
    return this.#queued.done;
  }

  async close(): Promise<void> {
    while (this.#inFlight) await this.#inFlight;
    await this.inner.close();
  }

  #write(batches: WriteBatch[]): Promise<void> {
    let written: Promise<void>;
    try {
      written = this.inner.commit(batches.length === 1 ? batches[0]! : merge(batches));
    } catch (error) {
      written = Promise.reject(error);
    }
    const next = () => {
      this.#inFlight = undefined;
      const waiting = this.#queued;
      this.#queued = undefined;
      if (waiting) this.#write(waiting.batches).then(waiting.resolve, waiting.reject);
    };
    this.#inFlight = written.then(next, next);
    return written;
  }
}

function queued(): Queued {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A caller that does not await its commit must not turn a failure into an unhandled rejection here.
  done.catch(() => undefined);
  return { batches: [], done, resolve, reject };
}

function merge(batches: readonly WriteBatch[]): WriteBatch {
  const append: MessageRecord[] = [];
  const entities: EntityWrite[] = [];
  const trim: { topic: string; before: number }[] = [];
  for (const batch of batches) {
    // Loops, not push(...): a spread of a large argument list overflows the stack.
    for (const record of batch.append ?? []) append.push(record);
    for (const write of batch.entities ?? []) entities.push(write);
    for (const t of batch.trim ?? []) trim.push(t);
  }
  return { append, entities, trim };
}
