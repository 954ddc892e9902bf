import { NotFoundError } from '../../errors.js';
import type { MessageRecord } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import type { MessageTrace, MessageView, Page, PageRequest } from '../views/index.js';
import { derivedEvents, mergeTrace } from './derived-events.js';
import { toMessageView } from '../views/message-view.js';
import { offsetPage, offsetToken } from './page-token.js';
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

  /** @throws NotFoundError TOPIC_NOT_FOUND for a topic that does not exist. */
  byKey(topic: string, key: string, page?: PageRequest): Page<MessageView> {
    this.#assertTopic(topic);
    const { from, size } = offsetPage(page, this.store.topicBounds(topic).first);
    const offsets = this.store.offsetsByKey(topic, key, from, size + 1);
    const items: MessageView[] = [];
    for (const offset of offsets.slice(0, size)) {
      const record = this.store.readMessage(topic, offset);
      if (record?.keys.includes(key)) items.push(toMessageView(record));
    }
    const next = offsets[size];
    return next === undefined ? { items } : { items, nextPageToken: offsetToken(next) };
  }

  /** @throws NotFoundError TOPIC_NOT_FOUND for a topic that does not exist. */
  byTime(topic: string, fromMs: number, toMs: number, page?: PageRequest): Page<MessageView> {
    this.#assertTopic(topic);
    const { from, size } = offsetPage(page, this.store.offsetAtTime(topic, fromMs));
    const end = toMs > fromMs ? this.store.offsetAtTime(topic, toMs) : from;
    const items: MessageView[] = [];
    let offset = from;
    for (; offset < end && items.length < size; offset++) {
      const record = this.store.readMessage(topic, offset);
      if (record && record.storedAt >= fromMs && record.storedAt < toMs) items.push(toMessageView(record));
    }
    return offset < end ? { items, nextPageToken: offsetToken(offset) } : { items };
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
