import { open, type Database, type RootDatabase } from 'lmdb';
import { ConfigError } from '../errors.js';
import { decodeMessage, encodeMessage } from './message-codec.js';
import type { MessageRecord } from './records.js';
import type { EntityKind, EntityKinds, Store, TopicBounds, WriteBatch } from './store.js';

const ENTITY_KINDS: readonly EntityKind[] = ['cursor', 'pending', 'leased', 'scheduled', 'half', 'settled'];
type MessageKey = [string, number];

/** Where earlier versions kept messages, msgpack-encoded; a store with any there is refused. */
const LEGACY_MESSAGES_DB = 'messages';
const MESSAGES_DB = 'log';

/**
 * The durable embedded store: one LMDB environment in `dataDir`, a `log` database of messages
 * keyed by `[topic, offset]` (values encoded by message-codec.ts) and one database per entity
 * kind. LMDB commits are atomic and crash-safe; {@link LmdbStore.commit} resolves only after the
 * commit is flushed to disk.
 */
export class LmdbStore implements Store {
  readonly #root: RootDatabase;
  readonly #messages: Database<Buffer, MessageKey>;
  readonly #entities: Map<EntityKind, Database<unknown, string>>;
  readonly #bounds = new Map<string, { first: number; next: number }>();

  private constructor(root: RootDatabase) {
    this.#root = root;
    this.#messages = root.openDB<Buffer, MessageKey>({ name: MESSAGES_DB, encoding: 'binary', cache: false });
    this.#entities = new Map(ENTITY_KINDS.map((kind) => [kind, root.openDB<unknown, string>({ name: kind })]));
    this.#loadBounds();
  }

  /** Opens (or creates) the store in `dataDir`. */
  static open(dataDir: string): LmdbStore {
    const root = open({ path: dataDir, maxDbs: 16, compression: false, mapSize: 2 ** 34 });
    const legacy = root.openDB({ name: LEGACY_MESSAGES_DB, cache: false });
    if (legacy.getKeysCount({ limit: 1 }) > 0) {
      void root.close();
      throw new ConfigError(`the data dir ${dataDir} holds messages in the store format of txmq 0.1 (before per-message binary records); drain it with that version or start on an empty data dir`, { option: 'dataDir', problem: 'holds an older store format' });
    }
    return new LmdbStore(root);
  }

  topics(): string[] {
    return [...this.#bounds.keys()];
  }

  topicBounds(topic: string): TopicBounds {
    return this.#bounds.get(topic) ?? { first: 0, next: 0 };
  }

  readMessage(topic: string, offset: number): MessageRecord | undefined {
    const bytes = this.#messages.getBinary([topic, offset]);
    return bytes ? decodeMessage(topic, offset, bytes) : undefined;
  }

  offsetAtTime(topic: string, time: number): number {
    const { first, next } = this.topicBounds(topic);
    let lo = first;
    let hi = next;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const bytes = this.#messages.getBinary([topic, mid]);
      const storedAt = bytes ? decodeMessage(topic, mid, bytes).storedAt : -Infinity;
      if (storedAt < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  loadEntities<K extends EntityKind>(kind: K): EntityKinds[K][] {
    return [...this.#entityDb(kind).getRange({}).map(({ value }) => value as EntityKinds[K])];
  }

  async commit(batch: WriteBatch): Promise<void> {
    const append = batch.append ?? [];
    const encoded = append.map(encodeMessage);
    // batch(), not transaction(): the writes are handed to LMDB's write thread as they are, rather
    // than running a callback on this thread inside the open write transaction; still atomic.
    await this.#root.batch(() => {
      append.forEach((record, i) => void this.#messages.put([record.topic, record.offset], encoded[i]!));
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
