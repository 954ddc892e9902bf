import { StoreError } from '../src/errors.js';
import type { EntityKind, EntityKinds, MessageLocation, Store, TopicBounds, WriteBatch } from '../src/store/store.js';
import type { MessageRecord, StoredTraceEvent } from '../src/store/records.js';

/**
 * A {@link Store} that passes everything to `inner` but fails the next `failNext` commits (a full
 * disk, say) and the next `failReads` message reads (a bad sector).
 */
export class FailingStore implements Store {
  failNext = 0;
  failReads = 0;
  constructor(readonly inner: Store) {}
  topics(): string[] {
    return this.inner.topics();
  }
  topicBounds(topic: string): TopicBounds {
    return this.inner.topicBounds(topic);
  }
  readMessage(topic: string, offset: number): MessageRecord | undefined {
    if (this.failReads > 0) {
      this.failReads -= 1;
      throw new StoreError(`cannot read ${topic}@${offset}: EIO`);
    }
    return this.inner.readMessage(topic, offset);
  }
  offsetAtTime(topic: string, time: number): number {
    return this.inner.offsetAtTime(topic, time);
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
  loadEntities<K extends EntityKind>(kind: K): EntityKinds[K][] {
    return this.inner.loadEntities(kind);
  }
  commit(batch: WriteBatch): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      return Promise.reject(new Error('ENOSPC: no space left on device'));
    }
    return this.inner.commit(batch);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
