import type { MessageRecord, StoredTraceEvent } from './records.js';
import type { EntityKind, EntityKinds, MessageLocation, Store, TopicBounds, WriteBatch } from './store.js';

interface TopicLog {
  first: number;
  messages: MessageRecord[];
}

/** The trace events one commit recorded, by message. */
interface TraceBatch {
  readonly maxSeq: number;
  readonly events: number;
  readonly maxAt: number;
  readonly messageIds: readonly string[];
}

/** A store that keeps everything in process memory: fast, and gone when the process exits. */
export class MemoryStore implements Store {
  readonly #logs = new Map<string, TopicLog>();
  readonly #entities = new Map<EntityKind, Map<string, unknown>>();
  readonly #byId = new Map<string, MessageLocation[]>();
  /** `topic \0 key` to ascending offsets. */
  readonly #byKey = new Map<string, number[]>();
  readonly #trace = new Map<string, StoredTraceEvent[]>();
  /** Oldest first. */
  readonly #traceBatches: TraceBatch[] = [];
  #lastTraceSeq = 0;

  topics(): string[] {
    return [...this.#logs.keys()];
  }

  topicBounds(topic: string): TopicBounds {
    const log = this.#logs.get(topic);
    return log ? { first: log.first, next: log.first + log.messages.length } : { first: 0, next: 0 };
  }

  readMessage(topic: string, offset: number): MessageRecord | undefined {
    const log = this.#logs.get(topic);
    return log ? log.messages[offset - log.first] : undefined;
  }

  offsetAtTime(topic: string, time: number): number {
    const log = this.#logs.get(topic);
    if (!log) return 0;
    const index = log.messages.findIndex((m) => m.storedAt >= time);
    return log.first + (index === -1 ? log.messages.length : index);
  }

  locateMessage(messageId: string): MessageLocation[] {
    return [...(this.#byId.get(messageId) ?? [])];
  }

  offsetsByKey(topic: string, key: string, fromOffset: number, limit: number): number[] {
    const offsets = this.#byKey.get(keyOf(topic, key)) ?? [];
    const out: number[] = [];
    for (let i = lowerBound(offsets, fromOffset); i < offsets.length && out.length < limit; i++) out.push(offsets[i]!);
    return out;
  }

  readTrace(messageId: string): StoredTraceEvent[] {
    return [...(this.#trace.get(messageId) ?? [])];
  }

  lastTraceSeq(): number {
    return this.#lastTraceSeq;
  }

  oldestTraceAt(): number | undefined {
    return this.#traceBatches[0]?.maxAt;
  }

  storeBytes(): number {
    return 0;
  }

  loadEntities<K extends EntityKind>(kind: K): EntityKinds[K][] {
    return [...(this.#entities.get(kind)?.values() ?? [])] as EntityKinds[K][];
  }

  async commit(batch: WriteBatch): Promise<void> {
    for (const record of batch.append ?? []) {
      let log = this.#logs.get(record.topic);
      if (!log) {
        log = { first: record.offset, messages: [] };
        this.#logs.set(record.topic, log);
      }
      if (record.offset !== log.first + log.messages.length) {
        throw new Error(`out-of-order append to ${record.topic}: offset ${record.offset}, expected ${log.first + log.messages.length}`);
      }
      log.messages.push(record);
      this.#index(record);
    }
    for (const write of batch.entities ?? []) {
      let map = this.#entities.get(write.kind);
      if (!map) {
        map = new Map();
        this.#entities.set(write.kind, map);
      }
      if (write.value === undefined) map.delete(write.key);
      else map.set(write.key, write.value);
    }
    for (const { topic, before } of batch.trim ?? []) {
      const log = this.#logs.get(topic);
      if (!log || before <= log.first) continue;
      const drop = Math.min(before - log.first, log.messages.length);
      for (const record of log.messages.splice(0, drop)) this.#unindex(record);
      log.first += drop;
    }
    if (batch.trace?.length) this.#recordTrace(batch.trace);
    if (batch.trimTrace) this.#trimTrace(batch.trimTrace.before, batch.trimTrace.limit);
  }

  async close(): Promise<void> {
    this.#logs.clear();
    this.#entities.clear();
    this.#byId.clear();
    this.#byKey.clear();
    this.#trace.clear();
    this.#traceBatches.length = 0;
  }

  #index(record: MessageRecord): void {
    const copies = this.#byId.get(record.messageId);
    const location = { topic: record.topic, offset: record.offset };
    if (copies) copies.push(location);
    else this.#byId.set(record.messageId, [location]);
    for (const key of new Set(record.keys)) {
      const offsets = this.#byKey.get(keyOf(record.topic, key));
      if (offsets) offsets.push(record.offset);
      else this.#byKey.set(keyOf(record.topic, key), [record.offset]);
    }
  }

  #unindex(record: MessageRecord): void {
    const copies = this.#byId.get(record.messageId)?.filter((c) => c.topic !== record.topic || c.offset !== record.offset);
    if (copies?.length) this.#byId.set(record.messageId, copies);
    else this.#byId.delete(record.messageId);
    for (const key of new Set(record.keys)) {
      const offsets = this.#byKey.get(keyOf(record.topic, key));
      if (!offsets) continue;
      // Trimming goes oldest first: the record's offset is the first one.
      if (offsets[0] === record.offset) offsets.shift();
      if (offsets.length === 0) this.#byKey.delete(keyOf(record.topic, key));
    }
  }

  #recordTrace(events: readonly StoredTraceEvent[]): void {
    let maxSeq = 0;
    let maxAt = -Infinity;
    const ids = new Set<string>();
    for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
      const list = this.#trace.get(event.messageId);
      if (list) list.push(event);
      else this.#trace.set(event.messageId, [event]);
      ids.add(event.messageId);
      maxSeq = Math.max(maxSeq, event.seq);
      maxAt = Math.max(maxAt, event.at);
    }
    this.#traceBatches.push({ maxSeq, events: events.length, maxAt, messageIds: [...ids] });
    this.#lastTraceSeq = Math.max(this.#lastTraceSeq, maxSeq);
  }

  #trimTrace(before: number, limit: number): void {
    for (let dropped = 0; dropped < limit && this.#traceBatches[0] && this.#traceBatches[0].maxAt < before; ) {
      const batch = this.#traceBatches.shift()!;
      dropped += batch.events;
      for (const id of batch.messageIds) {
        const left = this.#trace.get(id)?.filter((e) => e.seq > batch.maxSeq);
        if (left?.length) this.#trace.set(id, left);
        else this.#trace.delete(id);
      }
    }
  }
}

function keyOf(topic: string, key: string): string {
  return `${topic}\u0000${key}`;
}

/** The first index of ascending `values` holding at least `value`. */
function lowerBound(values: readonly number[], value: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
