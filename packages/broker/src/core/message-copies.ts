import type { MessageRecord } from '../store/records.js';
import type { Store } from '../store/store.js';

/**
 * Every retained copy of the message with this id, oldest first, found through the store's
 * message id index: the one its producer sent, a `%DLQ%<group>` copy, a copy an operator resent.
 * With `topic`, only the copies in that topic.
 */
export function retainedCopies(store: Store, messageId: string, topic?: string): MessageRecord[] {
  const copies: MessageRecord[] = [];
  for (const location of store.locateMessage(messageId)) {
    if (topic !== undefined && location.topic !== topic) continue;
    const record = store.readMessage(location.topic, location.offset);
    // The index may key a long id by its hash: the record itself decides.
    if (record?.messageId === messageId) copies.push(record);
  }
  return copies.sort((a, b) => a.storedAt - b.storedAt || a.offset - b.offset);
}
