import type { MessageRecord } from './records.js';
import type { EntityKind, EntityKinds, Store, TopicBounds, WriteBatch } from './store.js';

interface TopicLog {
  first: number;
  messages: MessageRecord[];
}

/** A store that keeps everything in process memory: fast, and gone when the process exits. */
export class MemoryStore implements Store {
  readonly #logs = new Map<string, TopicLog>();
  readonly #entities = new Map<EntityKind, Map<string, unknown>>();

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
      log.messages.splice(0, drop);
      log.first += drop;
    }
  }

  async close(): Promise<void> {
    this.#logs.clear();
    this.#entities.clear();
  }
}
