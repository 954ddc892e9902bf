import { InvalidRequestError, NotFoundError } from '../../errors.js';
import { deadLetterTopic, isDeadLetterTopic } from '../../rules/names.js';
import type { MessageRecord } from '../../store/records.js';
import type { EntityWrite, ResentEntity } from '../../store/store.js';
import type { DeadLetterView, Page, PageRequest, ResendResult } from '../views/index.js';
import { encodePageToken, pageSizeOf, pageStartOffset } from '../views/paging.js';
import type { AdminContext } from './context.js';
import { knownGroup } from './known-groups.js';
import { findKnownTopic } from './known-topics.js';
import { toMessageView } from '../views/message-view.js';
import type { Serial } from './serial.js';
import { resendDraft } from '../dead-letter.js';
import { retainedCopies } from '../message-copies.js';

/** The note of a resent message's `stored` event in its trace. */
export const RESENT_NOTE = 'resent by an operator';

/**
 * A group's dead letters (the messages retained in `%DLQ%<group>`) and sending them back.
 *
 * A resend appends a copy of the dead letter to its origin topic with the SAME message id and the
 * original properties (without the `DLQ_ORIGIN_*` ones): a new message at a new offset, so its
 * delivery starts afresh at attempt 1, and every group that consumes the origin topic receives it
 * again, not only the group whose dead letter it was (as with RocketMQ's resend).
 *
 * Each dead-letter copy is resent at most once: a durable marker records when, and a second resend
 * of it is refused, naming when it was resent. Should the resent message fail again and be
 * dead-lettered again, that is a new copy in `%DLQ%<group>`, which may be resent in turn; a resend
 * by message id always takes the newest copy of that id.
 *
 * In the message's trace a resend is a `stored` at the origin topic, noted {@link RESENT_NOTE}.
 */
export class DeadLetters {
  /** Resent markers by `group \0 offset-in-the-DLQ`. */
  readonly #resent = new Map<string, ResentEntity>();

  constructor(
    private readonly ctx: AdminContext,
    private readonly serial: Serial,
  ) {
    for (const marker of ctx.store.loadEntities('resent')) this.#resent.set(markerKey(marker.group, marker.deadLetterOffset), marker);
  }

  /** The retained dead letters of `group`, oldest first. @throws NotFoundError CONSUMER_GROUP_NOT_FOUND */
  list(group: string, page?: PageRequest): Page<DeadLetterView> {
    knownGroup(this.ctx, group);
    const size = pageSizeOf(page);
    const topic = deadLetterTopic(group);
    const end = this.ctx.logs.readableEnd(topic);
    let offset = pageStartOffset(page, this.ctx.store.topicBounds(topic).first);
    const items: DeadLetterView[] = [];
    for (; offset < end && items.length < size; offset++) {
      const message = this.ctx.store.readMessage(topic, offset);
      if (!message) continue;
      const marker = this.#marker(group, message);
      items.push({ group, message: toMessageView(message), ...(marker && { resentAt: marker.resentAt }) });
    }
    const last = items[items.length - 1];
    return offset < end && last ? { items, nextPageToken: encodePageToken(last.message.offset) } : { items };
  }

  /**
   * Appends the newest `%DLQ%<group>` copy of `messageId` to its origin topic, together with its
   * resent marker in the same durable commit (see the class doc).
   *
   * @throws NotFoundError CONSUMER_GROUP_NOT_FOUND, MESSAGE_NOT_FOUND (no such copy retained), TOPIC_NOT_FOUND (the origin is gone)
   * @throws InvalidRequestError PRECONDITION_FAILED when that copy was resent already
   */
  resend(group: string, messageId: string): Promise<ResendResult> {
    return this.serial.run(async () => {
      knownGroup(this.ctx, group);
      const copy = this.#newestCopy(group, messageId);
      const origin = copy.deadLetter?.originTopic;
      if (origin === undefined || isDeadLetterTopic(origin)) {
        throw new InvalidRequestError('BAD_REQUEST', `message ${messageId} in ${copy.topic} names no origin topic to resend it to`);
      }
      const key = markerKey(group, copy.offset);
      const earlier = this.#marker(group, copy);
      if (earlier) {
        throw new InvalidRequestError(
          'PRECONDITION_FAILED',
          `dead letter ${messageId} of group ${group} (offset ${copy.offset} in ${copy.topic}) was already resent to ${earlier.topic} at ${new Date(earlier.resentAt).toISOString()}; it is resent only once`,
        );
      }
      if (!findKnownTopic(this.ctx, origin)) throw new NotFoundError('TOPIC_NOT_FOUND', `topic ${JSON.stringify(origin)}, the origin of dead letter ${messageId}, does not exist`);
      const now = this.ctx.now();
      const marker: ResentEntity = { group, deadLetterOffset: copy.offset, messageId, resentAt: now, topic: origin };
      const write: EntityWrite = { kind: 'resent', key, value: marker };
      const [record] = await this.ctx.logs.append([resendDraft(copy, origin)], [write], { now, storedNote: RESENT_NOTE });
      this.#resent.set(key, marker);
      this.ctx.log.info({ group, messageId, topic: origin, offset: record!.offset }, 'dead letter resent to its origin topic by an operator');
      return { messageId, topic: origin, offset: record!.offset };
    });
  }

  /** Drops the markers of dead letters that retention removed. */
  async forgetTrimmed(): Promise<void> {
    const gone = [...this.#resent].filter(([, m]) => m.deadLetterOffset < this.ctx.store.topicBounds(deadLetterTopic(m.group)).first);
    if (gone.length === 0) return;
    await this.ctx.store.commit({ entities: gone.map(([key]) => ({ kind: 'resent', key })) });
    for (const [key] of gone) this.#resent.delete(key);
  }

  /** The resent marker of a dead-letter copy; one of another message at that offset is stale (retention emptied the topic and its offsets started over). */
  #marker(group: string, copy: MessageRecord): ResentEntity | undefined {
    const marker = this.#resent.get(markerKey(group, copy.offset));
    return marker?.messageId === copy.messageId ? marker : undefined;
  }

  /** The newest retained copy of `messageId` in `%DLQ%<group>` (by the message id index). */
  #newestCopy(group: string, messageId: string): MessageRecord {
    const topic = deadLetterTopic(group);
    const newest = retainedCopies(this.ctx.store, messageId, topic).at(-1);
    if (!newest) throw new NotFoundError('MESSAGE_NOT_FOUND', `no dead letter with message id ${messageId} is retained in ${topic}`);
    return newest;
  }
}

function markerKey(group: string, offset: number): string {
  return `${group}\u0000${offset}`;
}
