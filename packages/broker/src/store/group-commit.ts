import type { EntityKind, EntityKinds, EntityWrite, MessageLocation, Store, TopicBounds, WriteBatch } from './store.js';
import type { MessageRecord, StoredTraceEvent } from './records.js';

interface Queued {
  readonly batch: WriteBatch;
  resolve(): void;
  reject(error: unknown): void;
}

/** At most this many messages and entity writes go into one merged commit... */
const MAX_MERGED_WRITES = 8192;
/** ...and at most this many body bytes (one batch alone may be larger). */
const MAX_MERGED_BYTES = 32 * 1024 * 1024;

export class GroupCommit implements Store {
  /** Settles (never rejects) when the commit being written ends; undefined when none is. */
  #inFlight: Promise<void> | undefined;
  readonly #queued: Queued[] = [];

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

  locateMessage(messageId: string): MessageLocation[] {
    return this.inner.locateMessage(messageId);
  }

  offsetsByKey(topic: string, key: string, fromOffset: number, limit: number): number[] {
    return this.inner.offsetsByKey(topic, key, fromOffset, limit);
  }

  readTrace(messageId: string): StoredTraceEvent[] {
    return this.inner.readTrace(messageId);
  }

  lastTraceSeq(): number {
    return this.inner.lastTraceSeq();
  }

  oldestTraceAt(): number | undefined {
    return this.inner.oldestTraceAt();
  }

  storeBytes(): number {
    return this.inner.storeBytes();
  }

  commit(batch: WriteBatch): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queued.push({ batch, resolve, reject });
      if (!this.#inFlight) this.#drain();
    });
  }

  async close(): Promise<void> {
    while (this.#inFlight) await this.#inFlight;
    await this.inner.close();
  }

  #drain(): void {
    const group = this.#nextGroup();
    if (group.length === 0) {
      this.#inFlight = undefined;
      return;
    }
    this.#inFlight = this.#write(group).then(() => this.#drain());
  }

  /** Takes the oldest queued batches that fit in one merged commit (at least one). */
  #nextGroup(): Queued[] {
    let writes = 0;
    let bytes = 0;
    let taken = 0;
    for (const entry of this.#queued) {
      const size = sizeOf(entry.batch);
      if (taken > 0 && (writes + size.writes > MAX_MERGED_WRITES || bytes + size.bytes > MAX_MERGED_BYTES)) break;
      writes += size.writes;
      bytes += size.bytes;
      taken++;
    }
    return this.#queued.splice(0, taken);
  }

  /** Writes `group` as one commit; settles (never rejects) once each member has its outcome. */
  async #write(group: readonly Queued[]): Promise<void> {
    try {
      await this.#commitInner(group.length === 1 ? group[0]!.batch : merge(group.map((entry) => entry.batch)));
      for (const entry of group) entry.resolve();
      return;
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
    }
    for (const entry of group) {
      try {
        await this.#commitInner(entry.batch);
        entry.resolve();
      } catch (error) {
        entry.reject(error);
      }
    }
  }

  #commitInner(batch: WriteBatch): Promise<void> {
    try {
      return this.inner.commit(batch);
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

function sizeOf(batch: WriteBatch): { writes: number; bytes: number } {
  let bytes = 0;
  for (const record of batch.append ?? []) bytes += record.body.length;
  return { writes: (batch.append?.length ?? 0) + (batch.entities?.length ?? 0) + (batch.trace?.length ?? 0), bytes };
}

function merge(batches: readonly WriteBatch[]): WriteBatch {
  const append: MessageRecord[] = [];
  const entities: EntityWrite[] = [];
  const trim: { topic: string; before: number }[] = [];
  const trace: StoredTraceEvent[] = [];
  let trimTrace: { before: number; limit: number } | undefined;
  for (const batch of batches) {
    for (const event of batch.trace ?? []) trace.push(event);
    if (batch.trimTrace) {
      trimTrace = trimTrace
        ? { before: Math.max(trimTrace.before, batch.trimTrace.before), limit: trimTrace.limit + batch.trimTrace.limit }
        : { ...batch.trimTrace };
    }
    // Loops, not push(...): a spread of a large argument list overflows the stack.
    for (const record of batch.append ?? []) append.push(record);
    for (const write of batch.entities ?? []) entities.push(write);
    for (const t of batch.trim ?? []) trim.push(t);
  }
  return { append, entities, trim, ...(trace.length > 0 && { trace }), ...(trimTrace && { trimTrace }) };
}
