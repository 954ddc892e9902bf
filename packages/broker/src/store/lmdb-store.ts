import { open, type Database, type RootDatabase } from 'lmdb';
import type { MessageRecord } from './records.js';
import type { EntityKind, EntityKinds, Store, TopicBounds, WriteBatch } from './store.js';

const ENTITY_KINDS: readonly EntityKind[] = ['cursor', 'pending', 'scheduled', 'half', 'settled'];
type MessageKey = [string, number];

/**
 * The durable embedded store: one LMDB environment in `dataDir`, a `messages` database keyed by
 * `[topic, offset]` and one database per entity kind. LMDB commits are atomic and crash-safe;
 * {@link LmdbStore.commit} resolves only after the commit is flushed to disk.
 */
export class LmdbStore implements Store {
  readonly #root: RootDatabase;
  readonly #messages: Database<MessageRecord, MessageKey>;
  readonly #entities: Map<EntityKind, Database<unknown, string>>;
  readonly #bounds = new Map<string, { first: number; next: number }>();

  private constructor(root: RootDatabase) {
    this.#root = root;
    this.#messages = root.openDB<MessageRecord, MessageKey>({ name: 'messages', cache: false });
    this.#entities = new Map(ENTITY_KINDS.map((kind) => [kind, root.openDB<unknown, string>({ name: kind })]));
    this.#loadBounds();
  }

  /** Opens (or creates) the store in `dataDir`. */
  static open(dataDir: string): LmdbStore {
    return new LmdbStore(open({ path: dataDir, maxDbs: 16, compression: false, mapSize: 2 ** 34 }));
  }

  topics(): string[] {
    return [...this.#bounds.keys()];
  }

  topicBounds(topic: string): TopicBounds {
    return this.#bounds.get(topic) ?? { first: 0, next: 0 };
  }

  readMessage(topic: string, offset: number): MessageRecord | undefined {
    return this.#messages.get([topic, offset]);
  }

  offsetAtTime(topic: string, time: number): number {
    const { first, next } = this.topicBounds(topic);
    let lo = first;
    let hi = next;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const storedAt = this.readMessage(topic, mid)?.storedAt ?? -Infinity;
      if (storedAt < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  loadEntities<K extends EntityKind>(kind: K): EntityKinds[K][] {
    return [...this.#entityDb(kind).getRange({}).map(({ value }) => value as EntityKinds[K])];
  }

  async commit(batch: WriteBatch): Promise<void> {
    await this.#root.transaction(() => {
      for (const record of batch.append ?? []) {
        void this.#messages.put([record.topic, record.offset], record);
      }
      for (const write of batch.entities ?? []) {
        const db = this.#entityDb(write.kind);
        if (write.value === undefined) void db.remove(write.key);
        else void db.put(write.key, write.value);
      }
      for (const { topic, before } of batch.trim ?? []) {
        for (const key of this.#messages.getKeys({ start: [topic, 0], end: [topic, before] })) {
          void this.#messages.remove(key);
        }
      }
    });
    for (const record of batch.append ?? []) {
      const bounds = this.#bounds.get(record.topic);
      if (bounds) bounds.next = Math.max(bounds.next, record.offset + 1);
      else this.#bounds.set(record.topic, { first: record.offset, next: record.offset + 1 });
    }
    for (const { topic, before } of batch.trim ?? []) {
      const bounds = this.#bounds.get(topic);
      if (bounds) bounds.first = Math.max(bounds.first, Math.min(before, bounds.next));
    }
    await this.#root.flushed;
  }

  async close(): Promise<void> {
    await this.#root.close();
  }

  #entityDb(kind: EntityKind): Database<unknown, string> {
    const db = this.#entities.get(kind);
    if (!db) throw new Error(`unknown entity kind ${kind}`);
    return db;
  }

  /** Finds every topic and its offset range by jumping from one topic's last key to the next topic. */
  #loadBounds(): void {
    let start: MessageKey | undefined = undefined;
    for (;;) {
      const options: { limit: number; start?: MessageKey } = { limit: 1 };
      if (start) options.start = start;
      const firstKey = [...this.#messages.getKeys(options)][0];
      if (!firstKey) return;
      const [topic, first] = firstKey;
      const lastKey = [...this.#messages.getKeys({ start: [topic, Number.MAX_SAFE_INTEGER], end: [topic, -1], reverse: true, limit: 1 })][0];
      this.#bounds.set(topic, { first, next: (lastKey?.[1] ?? first) + 1 });
      start = [topic, Number.MAX_VALUE];
    }
  }
}
