import { statSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { pino, type Logger } from 'pino';
import { BrokerError, ConfigError, StoreError } from '../errors.js';
import { lockDataDir, type DataDirLock } from './data-dir-lock.js';
import { indexComponent, traceByMessage } from './index-keys.js';
import { decodeMessage, encodeMessage } from './message-codec.js';
import { SegmentLog, type Location } from './segment-log.js';
import type { MessageRecord, StoredTraceEvent } from './records.js';
import { decodeTraceEvents, decodeTraceLog, encodeTraceEvents, encodeTraceLog, traceLogMaxAt } from './trace-codec.js';
import { ENTITY_KINDS, type EntityKind, type EntityKinds, type MessageLocation, type Store, type TopicBounds, type WriteBatch } from './store.js';

type MessageKey = [string, number];

/** Where earlier versions kept messages, msgpack-encoded; a store with any there is refused. */
const LEGACY_MESSAGES_DB = 'messages';
const INDEX_DB = 'index';
/** `[messageId, topic, offset]` of every retained message. */
const BY_ID_DB = 'by-id';
/** `[topic, key, offset]` of every key of every retained message. */
const BY_KEY_DB = 'by-key';
/** `[messageId, seq]` to the message's trace events one commit recorded (seq: the first one's), trace-codec.ts's encoding. */
const TRACE_DB = 'trace';
/** `seq` (the commit's first) to what one commit recorded in TRACE_DB (trace-codec.ts's encoding): oldest first, for retention. */
const TRACE_LOG_DB = 'trace-log';
/** Facts about the data dir's format; {@link QUERY_INDEXES} says the query indexes hold every retained message. */
const META_DB = 'meta';
const QUERY_INDEXES = 'query-indexes';
/** Index entries brought up to date per write transaction when the query indexes are backfilled. */
const BACKFILL_PER_TRANSACTION = 2048;
const BACKFILL_LOG_EVERY_MS = 5000;
const LOCATION_BYTES = 12;
const EMPTY = Buffer.alloc(0);
type TraceKey = [string, number];

/** Options of {@link LmdbStore.open}. */
export interface LmdbStoreOptions {
  /** Where opening reports a one-time upgrade of the data dir (default: pino to stderr). */
  readonly log?: Logger;
}

/**
 * The durable embedded store. Message records (encoded by message-codec.ts) are appended to the
 * segment files in `dataDir/segments`; one LMDB environment in `dataDir` holds an `index`
 * database from `[topic, offset]` to where each record is (and its id and keys, so retention can
 * drop the `by-id` and `by-key` query indexes with it), trace databases, and one database per
 * entity kind.
 * {@link LmdbStore.commit} makes the records durable first, then commits the index and entities
 * (atomic and crash-safe in LMDB), and resolves only once that is flushed to disk: an indexed
 * record is always complete on disk.
 */
export class LmdbStore implements Store {
  readonly #root: RootDatabase;
  readonly #messages: Database<Buffer, MessageKey>;
  readonly #byId: Database<Buffer, [string, string, number]>;
  readonly #byKey: Database<Buffer, [string, string, number]>;
  readonly #trace: Database<Buffer, TraceKey>;
  readonly #traceLog: Database<Buffer, number>;
  #lastTraceSeq = 0;
  readonly #segments: SegmentLog;
  readonly #entities: Map<EntityKind, Database<unknown, string>>;
  readonly #bounds = new Map<string, { first: number; next: number }>();
  readonly #lock: DataDirLock;
  readonly #dataDir: string;

  private constructor(root: RootDatabase, dataDir: string, lock: DataDirLock, log: (() => Logger) | undefined) {
    this.#root = root;
    this.#dataDir = dataDir;
    this.#lock = lock;
    this.#messages = root.openDB<Buffer, MessageKey>({ name: INDEX_DB, encoding: 'binary', cache: false });
    this.#byId = root.openDB({ name: BY_ID_DB, encoding: 'binary', cache: false });
    this.#byKey = root.openDB({ name: BY_KEY_DB, encoding: 'binary', cache: false });
    this.#trace = root.openDB({ name: TRACE_DB, encoding: 'binary', cache: false });
    this.#traceLog = root.openDB({ name: TRACE_LOG_DB, encoding: 'binary', cache: false });
    const [last] = this.#traceLog.getRange({ reverse: true, limit: 1 });
    this.#lastTraceSeq = last ? decodeTraceLog(last.key, last.value).maxSeq : 0;
    this.#entities = new Map(ENTITY_KINDS.map((kind) => [kind, root.openDB<unknown, string>({ name: kind })]));
    this.#loadBounds();
    this.#segments = new SegmentLog(join(dataDir, 'segments'), { referenced: this.#highestSegment() });
    this.#backfillQueryIndexes(root.openDB<unknown, string>({ name: META_DB }), log ?? (() => pino({ base: { service: 'txmq-broker' } }, pino.destination(2))));
  }

  /**
   * Opens (or creates) the store in `dataDir`, which it locks for this process first.
   *
   * @throws ConfigError when another live process (or another open store of this one) holds `dataDir`.
   */
  static open(dataDir: string, options: LmdbStoreOptions = {}): LmdbStore {
    const lock = lockDataDir(dataDir);
    let root: RootDatabase | undefined;
    try {
      // noSubdir: false, or lmdb-js takes a dir named like `x.d` for a file name.
      root = open({ path: dataDir, noSubdir: false, maxDbs: 32, compression: false, mapSize: 2 ** 34 });
      // create: false, so a new store gets no empty legacy database (openDB is then undefined).
      const noCreate: { name: string; cache: boolean } = { name: LEGACY_MESSAGES_DB, cache: false, ...{ create: false } }; // `create` is missing from lmdb's types
      const legacy = root.openDB(noCreate) as Database | undefined;
      if (legacy && legacy.getKeysCount({ limit: 1 }) > 0) {
        throw new ConfigError(
          `the data dir ${dataDir} holds messages written before segment files (messages inside LMDB); drain it with the broker version that wrote it, or start on an empty data dir`,
          { option: 'dataDir', problem: 'holds messages in an older store format' },
        );
      }
      const { log } = options;
      return new LmdbStore(root, dataDir, lock, log && (() => log));
    } catch (error) {
      void root?.close();
      lock.release();
      throw error;
    }
  }

  topics(): string[] {
    return [...this.#bounds.keys()];
  }

  topicBounds(topic: string): TopicBounds {
    return this.#bounds.get(topic) ?? { first: 0, next: 0 };
  }

  readMessage(topic: string, offset: number): MessageRecord | undefined {
    const location = this.#location(topic, offset);
    return location ? decodeMessage(topic, offset, this.#segments.read(location)) : undefined;
  }

  offsetAtTime(topic: string, time: number): number {
    const { first, next } = this.topicBounds(topic);
    let lo = first;
    let hi = next;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const storedAt = this.#storedAtOrAfter(topic, mid, next);
      if (storedAt < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * When the message at `offset` was stored; at a hole (a failed write), when the next existing one
   * was, so a hole never counts as older than its neighbours. Infinity when none follows.
   */
  #storedAtOrAfter(topic: string, offset: number, next: number): number {
    const [key] = this.#messages.getKeys({ start: [topic, offset], end: [topic, next], limit: 1 });
    return key ? (this.readMessage(topic, key[1])?.storedAt ?? Infinity) : Infinity;
  }

  locateMessage(messageId: string): MessageLocation[] {
    const id = indexComponent(messageId);
    return [...this.#byId.getKeys({ start: [id, ''], end: [id, '\uffff'] })].map(([, topic, offset]) => ({ topic, offset }));
  }

  offsetsByKey(topic: string, key: string, fromOffset: number, limit: number): number[] {
    const k = indexComponent(key);
    return [...this.#byKey.getKeys({ start: [topic, k, fromOffset], end: [topic, k, Number.MAX_SAFE_INTEGER], limit })].map(([, , offset]) => offset);
  }

  readTrace(messageId: string): StoredTraceEvent[] {
    const id = indexComponent(messageId);
    const events: StoredTraceEvent[] = [];
    for (const { value } of this.#trace.getRange({ start: [id, 0], end: [id, Number.MAX_SAFE_INTEGER] })) {
      for (const event of decodeTraceEvents(value)) if (event.messageId === messageId) events.push(event);
    }
    return events;
  }

  lastTraceSeq(): number {
    return this.#lastTraceSeq;
  }

  oldestTraceAt(): number | undefined {
    const [first] = this.#traceLog.getRange({ limit: 1 });
    return first ? traceLogMaxAt(first.value) : undefined;
  }

  /** The segment files' sizes and the blocks the LMDB file takes (it is sparse). */
  storeBytes(): number {
    let bytes = this.#segments.bytes();
    try {
      const stats = statSync(join(this.#dataDir, 'data.mdb'));
      bytes += Math.min(stats.size, stats.blocks * 512);
    } catch {
      // not there yet
    }
    return bytes;
  }

  loadEntities<K extends EntityKind>(kind: K): EntityKinds[K][] {
    return [...this.#entityDb(kind).getRange({}).map(({ value }) => value as EntityKinds[K])];
  }

  /** @throws StoreError when the records or the index cannot be written (`cause`: the I/O error). */
  async commit(batch: WriteBatch): Promise<void> {
    try {
      await this.#commit(batch);
    } catch (error) {
      throw error instanceof BrokerError ? error : new StoreError(`writing to the data dir ${this.#dataDir} failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    }
  }

  async #commit(batch: WriteBatch): Promise<void> {
    const append = batch.append ?? [];
    let locations: Buffer[] = [];
    let traceSeq = 0;
    if (append.length > 0) {
      locations = this.#segments.append(append.map(encodeMessage)).map((location, i) => encodeLocation(location, append[i]!));
      await this.#segments.sync();
    }
    // batch(), not transaction(): the writes are handed to LMDB's write thread as they are, rather
    // than running a callback on this thread inside the open write transaction; still atomic.
    await this.#root.batch(() => {
      append.forEach((record, i) => {
        void this.#messages.put([record.topic, record.offset], locations[i]!);
        void this.#byId.put([indexComponent(record.messageId), record.topic, record.offset], EMPTY);
        for (const key of new Set(record.keys)) void this.#byKey.put([record.topic, indexComponent(key), record.offset], EMPTY);
      });
      for (const write of batch.entities ?? []) {
        const db = this.#entityDb(write.kind);
        if (write.value === undefined) void db.remove(write.key);
        else void db.put(write.key, write.value);
      }
      for (const { topic, before } of batch.trim ?? []) {
        for (const { key, value } of this.#messages.getRange({ start: [topic, 0], end: [topic, before] })) {
          void this.#messages.remove(key);
          const indexed = decodeIndexed(value);
          if (!indexed) continue;
          void this.#byId.remove([indexComponent(indexed.messageId), topic, key[1]]);
          for (const k of new Set(indexed.keys)) void this.#byKey.remove([topic, indexComponent(k), key[1]]);
        }
      }
      if (batch.trace?.length) traceSeq = this.#recordTrace(batch.trace);
      if (batch.trimTrace) this.#trimTrace(batch.trimTrace.before, batch.trimTrace.limit);
    });
    if (traceSeq > this.#lastTraceSeq) this.#lastTraceSeq = traceSeq;
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
    if (batch.trim?.length) this.#dropUnreferencedSegments();
  }

  /** Records one commit's trace events; returns the highest seq among them. */
  #recordTrace(events: readonly StoredTraceEvent[]): number {
    let minSeq = Infinity;
    let maxSeq = 0;
    let maxAt = -Infinity;
    const keys: TraceKey[] = [];
    for (const [messageId, list] of traceByMessage(events)) {
      const key: TraceKey = [indexComponent(messageId), list[0]!.seq];
      void this.#trace.put(key, encodeTraceEvents(list));
      keys.push(key);
      for (const event of list) {
        minSeq = Math.min(minSeq, event.seq);
        maxSeq = Math.max(maxSeq, event.seq);
        maxAt = Math.max(maxAt, event.at);
      }
    }
    void this.#traceLog.put(minSeq, encodeTraceLog(minSeq, { maxSeq, maxAt, keys }));
    return maxSeq;
  }

  /** Drops the oldest trace commits whose events all happened before `before`, until `limit` events are dropped (see {@link WriteBatch.trimTrace}). */
  #trimTrace(before: number, limit: number): void {
    let dropped = 0;
    for (const { key, value: bytes } of this.#traceLog.getRange({})) {
      if (dropped >= limit || traceLogMaxAt(bytes) >= before) break;
      const value = decodeTraceLog(key, bytes);
      for (const traceKey of value.keys) void this.#trace.remove(traceKey);
      void this.#traceLog.remove(key);
      // A commit's events have seqs from its key to its maxSeq (the trace writer numbers them in a row).
      dropped += value.maxSeq - key + 1;
    }
  }

  async close(): Promise<void> {
    try {
      await this.#root.close();
      this.#segments.close();
    } finally {
      this.#lock.release();
    }
  }

  /**
   * Data dirs written before the query indexes have index entries of only a location (and nothing
   * in `by-id`, `by-key`): this reads each such message from its segment and writes its id and
   * keys, in bounded transactions, once (a marker says it is done).
   */
  #backfillQueryIndexes(meta: Database<unknown, string>, log: () => Logger): void {
    if (meta.get(QUERY_INDEXES) !== undefined) return;
    const started = Date.now();
    let logger: Logger | undefined;
    let loggedAt = started;
    let updated = 0;
    let unreadable = 0;
    let after: MessageKey | undefined;
    for (;;) {
      const batch: { key: MessageKey; location: Location; record: MessageRecord }[] = [];
      let last: MessageKey | undefined;
      for (const { key, value } of this.#messages.getRange(after ? { start: after } : {})) {
        if (after && key[0] === after[0] && key[1] === after[1]) continue;
        last = key;
        if (value.length !== LOCATION_BYTES) continue;
        try {
          const location = decodeLocation(value);
          const record = decodeMessage(key[0], key[1], this.#segments.read(location));
          batch.push({ key, location, record });
        } catch (error) {
          unreadable += 1;
          (logger ??= log()).warn({ err: error, topic: key[0], offset: key[1] }, 'a stored message cannot be read; it stays out of the message query indexes');
        }
        if (batch.length >= BACKFILL_PER_TRANSACTION) break;
      }
      if (batch.length > 0) {
        if (updated === 0) (logger ??= log()).info({ dataDir: this.#dataDir }, 'adding the messages stored by an earlier version to the message query indexes (once)');
        this.#root.transactionSync(() => {
          for (const { key, location, record } of batch) {
            this.#messages.putSync(key, encodeLocation(location, record));
            this.#byId.putSync([indexComponent(record.messageId), key[0], key[1]], EMPTY);
            for (const k of new Set(record.keys)) this.#byKey.putSync([key[0], indexComponent(k), key[1]], EMPTY);
          }
        });
        updated += batch.length;
        if (Date.now() - loggedAt >= BACKFILL_LOG_EVERY_MS) {
          loggedAt = Date.now();
          logger?.info({ messages: updated }, 'adding messages to the message query indexes');
        }
      }
      if (batch.length < BACKFILL_PER_TRANSACTION || last === undefined) break;
      after = last;
    }
    meta.putSync(QUERY_INDEXES, { since: Date.now() });
    if (updated > 0 || unreadable > 0) logger?.info({ messages: updated, unreadable, ms: Date.now() - started }, 'the message query indexes hold every stored message');
  }

  /** The highest segment the index names: segments are written in number order, so it is one topic's newest record's. */
  #highestSegment(): number {
    let highest = 0;
    for (const [topic, { next }] of this.#bounds) highest = Math.max(highest, this.#location(topic, next - 1)?.segment ?? 0);
    return highest;
  }

  #location(topic: string, offset: number): Location | undefined {
    const bytes = this.#messages.getBinary([topic, offset]);
    return bytes && bytes.length >= LOCATION_BYTES ? decodeLocation(bytes) : undefined;
  }

  /** Deletes the segments that retention emptied: those below every topic's oldest retained record. */
  #dropUnreferencedSegments(): void {
    let oldest = Infinity;
    for (const [topic, { first, next }] of this.#bounds) {
      // The first key, not `first`: a failed write can leave a hole at any offset.
      const [key] = first < next ? [...this.#messages.getKeys({ start: [topic, first], end: [topic, next], limit: 1 })] : [];
      if (key) oldest = Math.min(oldest, this.#location(topic, key[1])?.segment ?? Infinity);
    }
    this.#segments.dropBelow(oldest);
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

/** Where a record is, followed by its id and keys as JSON (entries written before the query indexes have only the location). */
function encodeLocation(location: Location, record: MessageRecord): Buffer {
  const json = JSON.stringify(record.keys.length > 0 ? [record.messageId, record.keys] : [record.messageId]);
  const bytes = Buffer.allocUnsafe(LOCATION_BYTES + Buffer.byteLength(json));
  bytes.writeUInt32LE(location.segment, 0);
  bytes.writeUInt32LE(location.position, 4);
  bytes.writeUInt32LE(location.length, 8);
  bytes.write(json, LOCATION_BYTES, 'utf8');
  return bytes;
}

function decodeLocation(bytes: Buffer): Location {
  return { segment: bytes.readUInt32LE(0), position: bytes.readUInt32LE(4), length: bytes.readUInt32LE(8) };
}

function decodeIndexed(bytes: Buffer): { messageId: string; keys: readonly string[] } | undefined {
  if (bytes.length <= LOCATION_BYTES) return undefined;
  const [messageId, keys] = JSON.parse(bytes.toString('utf8', LOCATION_BYTES)) as [string, string[]?];
  return { messageId, keys: keys ?? [] };
}
