import type { EntityWrite, Store } from '../store/store.js';
import type { MessageDraft, MessageRecord } from '../store/records.js';
import { isPlain } from './trace/derived-events.js';
import type { MessageEvents } from './trace/message-events.js';
import type { Mutable } from './mutable.js';
import type { MessageEvent } from './views/index.js';

/** Called when new messages of a topic become readable. */
export type AppendListener = (topic: string) => void;

/** Options of {@link TopicLogs}. */
export interface TopicLogsOptions {
  /** The clock messages are stored on (default `Date.now`). */
  readonly now?: () => number;
  /** Where each stored message is reported (`stored`). */
  readonly events?: MessageEvents;
}

/** Options of one {@link TopicLogs.append}. */
export interface AppendOptions {
  /** When the messages are stored (default: the logs' clock). */
  readonly now?: number;
  /** Runs once the batch is durable, before the `stored` events: to report what caused the appends. */
  readonly onDurable?: (records: readonly MessageRecord[]) => void;
  /** Why the messages were stored, when not as they were sent (e.g. `resent by an operator`): the note of their `stored` events. */
  readonly storedNote?: string;
}

/**
 * Appends messages to topic logs. Offsets are assigned synchronously, in call order; a message
 * becomes readable (below {@link TopicLogs.readableEnd}) only once it and every earlier offset of
 * its topic are durable, so no consumer ever sees a message that a crash could still take back.
 */
export class TopicLogs {
  readonly #nextOffset = new Map<string, number>();
  readonly #readableEnd = new Map<string, number>();
  readonly #settled = new Map<string, Set<number>>();
  readonly #listeners: AppendListener[] = [];
  readonly #now: () => number;
  readonly #events: MessageEvents | undefined;

  constructor(
    private readonly store: Store,
    options: TopicLogsOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
    this.#events = options.events;
    const next = new Map<string, number>();
    const atLeast = (topic: string, offset: number) => next.set(topic, Math.max(next.get(topic) ?? 0, offset));
    for (const topic of store.topics()) atLeast(topic, store.topicBounds(topic).next);
    // A failed write at the tail leaves no key behind, yet a consumer may have moved past its
    // offsets: handing them out again would put new messages behind that consumer's cursor.
    for (const cursor of store.loadEntities('cursor')) atLeast(cursor.topic, cursor.nextOffset);
    for (const leased of store.loadEntities('leased')) for (const offset of leased.offsets) atLeast(leased.topic, offset + 1);
    for (const pending of store.loadEntities('pending')) atLeast(pending.topic, pending.offset + 1);
    for (const [topic, offset] of next) {
      this.#nextOffset.set(topic, offset);
      this.#readableEnd.set(topic, offset);
    }
  }

  onAppend(listener: AppendListener): void {
    this.#listeners.push(listener);
  }

  /** Offset of the oldest retained message. */
  firstOffset(topic: string): number {
    return this.store.topicBounds(topic).first;
  }

  /** One past the newest message that consumers may read. */
  readableEnd(topic: string): number {
    return this.#readableEnd.get(topic) ?? 0;
  }

  read(topic: string, offset: number): MessageRecord | undefined {
    return offset < this.readableEnd(topic) ? this.store.readMessage(topic, offset) : undefined;
  }

  /**
   * Appends `drafts` and applies `entities` in one atomic, durable batch. Once it is durable,
   * `onDurable` runs (to report what caused the appends), then each message is reported `stored`.
   */
  async append(drafts: readonly MessageDraft[], entities: readonly EntityWrite[] = [], options: AppendOptions = {}): Promise<MessageRecord[]> {
    const { now = this.#now(), onDurable, storedNote } = options;
    const records = drafts.map((draft): MessageRecord => {
      const offset = this.#nextOffset.get(draft.topic) ?? this.store.topicBounds(draft.topic).next;
      this.#nextOffset.set(draft.topic, offset + 1);
      return { ...draft, offset, storedAt: now };
    });
    try {
      await this.store.commit({ append: records, entities });
    } finally {
      // A failed write leaves a hole at its offsets; readers skip holes, so later messages still flow.
      this.#settle(records);
    }
    onDurable?.(records);
    const events = this.#events;
    if (events) {
      for (const record of records) {
        // A note is not on the record, so a noted `stored` cannot be derived from it: it is recorded.
        const durable = storedNote !== undefined || !isPlain(record.kind, record.deadLetter);
        if (!events.wants(durable, record.deadLetter?.originTopic ?? record.topic)) continue;
        const event: Mutable<MessageEvent> = { type: 'stored', messageId: record.messageId, topic: record.topic, at: record.storedAt };
        if (storedNote !== undefined) event.note = storedNote;
        events.emit(event, durable, record.deadLetter?.originTopic);
      }
    }
    return records;
  }

  #settle(records: readonly MessageRecord[]): void {
    const touched = new Set<string>();
    for (const { topic, offset } of records) {
      let settled = this.#settled.get(topic);
      if (!settled) {
        settled = new Set();
        this.#settled.set(topic, settled);
      }
      settled.add(offset);
      touched.add(topic);
    }
    for (const topic of touched) {
      const settled = this.#settled.get(topic)!;
      let end = this.#readableEnd.get(topic) ?? this.store.topicBounds(topic).first;
      const before = end;
      while (settled.delete(end)) end++;
      this.#readableEnd.set(topic, end);
      if (end > before) for (const listener of this.#listeners) listener(topic);
    }
  }
}
