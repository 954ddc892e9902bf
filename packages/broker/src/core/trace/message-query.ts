import type { Store } from '../../store/store.js';
import type { MessageTrace, MessageView, Page, PageRequest } from '../views/index.js';
import { retainedCopies } from '../message-copies.js';
import { derivedEvents, mergeTrace } from './derived-events.js';
import { toMessageView } from '../views/message-view.js';
import { encodePageToken, pageSizeOf, pageStartOffset } from '../views/paging.js';
import type { TraceWriter } from './trace-writer.js';

/**
 * Finds retained messages by id, key and store time, and puts a message's trace together from
 * its stored copies and its recorded events.
 */
export class MessageQuery {
  constructor(
    private readonly store: Store,
    /** Refuses a topic that does not exist (declared, created, or holding messages). @throws NotFoundError TOPIC_NOT_FOUND */
    private readonly assertTopic: (topic: string) => void,
    private readonly writer: () => TraceWriter | undefined,
  ) {}

  byId(messageId: string): MessageView[] {
    return retainedCopies(this.store, messageId).map(toMessageView);
  }

  /**
   * Pages of `topic`'s retained messages carrying `key`, oldest first.
   *
   * @throws NotFoundError TOPIC_NOT_FOUND for a topic that does not exist.
   * @throws InvalidRequestError BAD_REQUEST for a bad `pageSize` or `pageToken`.
   */
  byKey(topic: string, key: string, page?: PageRequest): Page<MessageView> {
    this.assertTopic(topic);
    const size = pageSizeOf(page);
    const from = pageStartOffset(page, this.store.topicBounds(topic).first);
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
    this.assertTopic(topic);
    const size = pageSizeOf(page);
    const from = pageStartOffset(page, this.store.offsetAtTime(topic, fromMs));
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
    const copies = retainedCopies(this.store, messageId);
    if (copies.length === 0 && recorded.length === 0) return undefined;
    return { messageId, events: mergeTrace(derivedEvents(copies), recorded) };
  }
}
