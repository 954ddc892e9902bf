import { NotFoundError } from '../../errors.js';
import type { MessageRecord } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import type { MessageTrace, MessageView, Page, PageRequest } from '../views/index.js';
import { derivedEvents, mergeTrace } from './derived-events.js';
import { toMessageView } from '../views/message-view.js';
import { encodePageToken, pagePosition, pageSizeOf } from '../views/paging.js';
import type { TraceWriter } from './trace-writer.js';

/**
 * Finds retained messages by id, key and store time, and puts a message's trace together from
 * its stored copies and its recorded events.
 */
export class MessageQuery {
  constructor(
    private readonly store: Store,
    /** Whether a topic exists (declared, created, or holding messages). */
    private readonly topicExists: (topic: string) => boolean,
    private readonly writer: () => TraceWriter | undefined,
  ) {}

  byId(messageId: string): MessageView[] {
    return this.#copies(messageId).map(toMessageView);
  }

  /**
   * Pages of `topic`'s retained messages carrying `key`, oldest first.
   *
   * @throws NotFoundError TOPIC_NOT_FOUND for a topic that does not exist.
   * @throws InvalidRequestError BAD_REQUEST for a bad `pageSize` or `pageToken`.
   */
  byKey(topic: string, key: string, page?: PageRequest): Page<MessageView> {
    this.#assertTopic(topic);
    const size = pageSizeOf(page);
    const from = startAfter(pagePosition(page, 'number'), this.store.topicBounds(topic).first);
    const offsets = this.store.offsetsByKey(topic, key, from, size + 1);
    const items: MessageView[] = [];
    for (const offset of offsets.slice(0, size)) {
      const record = this.store.readMessage(topic, offset);
      if (record?.keys.includes(key)) items.push(toMessageView(record));
    }
    return offsets.length > size ? { items, nextPageToken: encodePageToken(offsets[size - 1]!) } : { items };
  }

  /**
   * Pages of `topic`'s retained messages stored in `[fromMs, toMs)`, oldest first.
   *
   * @throws NotFoundError TOPIC_NOT_FOUND for a topic that does not exist.
   * @throws InvalidRequestError BAD_REQUEST for a bad `pageSize` or `pageToken`.
   */
  byTime(topic: string, fromMs: number, toMs: number, page?: PageRequest): Page<MessageView> {
    this.#assertTopic(topic);
    const size = pageSizeOf(page);
    const from = startAfter(pagePosition(page, 'number'), this.store.offsetAtTime(topic, fromMs));
    const end = toMs > fromMs ? this.store.offsetAtTime(topic, toMs) : from;
    const items: MessageView[] = [];
    let offset = from;
    for (; offset < end && items.length < size; offset++) {
      const record = this.store.readMessage(topic, offset);
      if (record && record.storedAt >= fromMs && record.storedAt < toMs) items.push(toMessageView(record));
    }
    return offset < end ? { items, nextPageToken: encodePageToken(offset - 1) } : { items };
  }

  trace(messageId: string): MessageTrace | undefined {
    const recorded = this.store.readTrace(messageId);
    for (const event of this.writer()?.pending(messageId) ?? []) recorded.push(event);
    const copies = this.#copies(messageId);
    if (copies.length === 0 && recorded.length === 0) return undefined;
    return { messageId, events: mergeTrace(derivedEvents(copies), recorded) };
  }

  /** Every retained copy, oldest first. */
  #copies(messageId: string): MessageRecord[] {
    const copies: MessageRecord[] = [];
    for (const { topic, offset } of this.store.locateMessage(messageId)) {
      const record = this.store.readMessage(topic, offset);
      if (record?.messageId === messageId) copies.push(record);
    }
    return copies.sort((a, b) => a.storedAt - b.storedAt || a.offset - b.offset);
  }

  #assertTopic(topic: string): void {
    if (!this.topicExists(topic)) throw new NotFoundError('TOPIC_NOT_FOUND', `topic ${JSON.stringify(topic)} does not exist`);
  }
}

/** The first offset of a page: past the token's offset (the last one the previous page looked at), never before `start`. */
function startAfter(after: number | undefined, start: number): number {
  return after === undefined ? start : Math.max(after + 1, start);
}
