import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { InvalidRequestError, NotFoundError } from '../errors.js';
import type { ScheduledEntity, Store } from '../store/store.js';
import type { TopicLogs } from './topic-log.js';
import type { MessageDraft } from '../store/records.js';
import { sentAt } from './trace/derived-events.js';
import type { MessageEvents } from './trace/message-events.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Options of {@link DelayScheduler}. */
export interface DelaySchedulerOptions {
  /** The clock delivery times are measured on (default `Date.now`). */
  readonly now?: () => number;
  /** Where sends and recalls of delay messages are reported. */
  readonly events?: MessageEvents;
}

/**
 * Holds delay messages until their delivery time, then appends them to their topic. A held
 * message can be recalled with the handle {@link DelayScheduler.schedule} returned.
 */
export class DelayScheduler {
  /** Sorted by delivery time. */
  #items: ScheduledEntity[] = [];
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #now: () => number;
  readonly #events: MessageEvents | undefined;

  constructor(
    private readonly store: Store,
    private readonly logs: TopicLogs,
    private readonly log: Logger,
    options: DelaySchedulerOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
    this.#events = options.events;
    this.#items = store.loadEntities('scheduled').sort((a, b) => a.deliverAt - b.deliverAt);
    this.#arm();
  }

  /** Durably holds `draft` until `deliverAt`; returns its recall handle. */
  async schedule(draft: MessageDraft, deliverAt: number): Promise<string> {
    const item: ScheduledEntity = { id: randomUUID(), deliverAt, message: draft };
    await this.store.commit({ entities: [{ kind: 'scheduled', key: item.id, value: item }] });
    this.#insert(item);
    this.#arm();
    if (this.#events?.wants(true, draft.topic)) {
      const at = sentAt(draft.bornAt, this.#now());
      this.#events.emit({ type: 'sent', messageId: draft.messageId, topic: draft.topic, at, ...(draft.producerClientId !== undefined && { clientId: draft.producerClientId }) }, true);
    }
    return encodeRecallHandle(draft.topic, item.id);
  }

  /** Cancels a held message; returns its message id. */
  async recall(topic: string, handle: string): Promise<string> {
    const { topic: handleTopic, id } = decodeRecallHandle(handle);
    if (handleTopic !== topic) {
      throw new InvalidRequestError('BAD_REQUEST', `recall handle is for topic ${handleTopic}, not ${topic}`);
    }
    const index = this.#items.findIndex((item) => item.id === id);
    const item = this.#items[index];
    if (!item) {
      throw new NotFoundError('NOT_FOUND', 'no delay message is waiting for this recall handle: it was already delivered or recalled');
    }
    this.#items.splice(index, 1);
    await this.store.commit({ entities: [{ kind: 'scheduled', key: id }] });
    if (this.#events?.wants(true, topic)) this.#events.emit({ type: 'recalled', messageId: item.message.messageId, topic, at: this.#now() }, true);
    return item.message.messageId;
  }

  /** Messages still waiting, soonest first. */
  waiting(): readonly ScheduledEntity[] {
    return this.#items;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #insert(item: ScheduledEntity): void {
    let i = this.#items.length;
    while (i > 0 && this.#items[i - 1]!.deliverAt > item.deliverAt) i--;
    this.#items.splice(i, 0, item);
  }

  #arm(): void {
    clearTimeout(this.#timer);
    const next = this.#items[0];
    if (!next || this.#closed) return;
    const wait = Math.min(Math.max(0, next.deliverAt - this.#now()), MAX_TIMER_MS);
    this.#timer = setTimeout(() => void this.deliverDue(), wait);
    this.#timer.unref();
  }

  /**
   * Appends every held message whose delivery time has come (on the injected clock) to its topic.
   * A timer calls it when the soonest one is due; a test calls it after moving its clock.
   */
  async deliverDue(): Promise<void> {
    const now = this.#now();
    const due: ScheduledEntity[] = [];
    while (this.#items[0] && this.#items[0].deliverAt <= now) due.push(this.#items.shift()!);
    this.#arm();
    if (due.length === 0) return;
    try {
      await this.logs.append(
        due.map((item) => item.message),
        due.map((item) => ({ kind: 'scheduled', key: item.id })),
      );
    } catch (error) {
      this.log.error({ err: error, count: due.length }, 'delivering due delay messages failed; retrying in 1 s');
      for (const item of due) this.#insert({ ...item, deliverAt: now + 1000 });
      this.#arm();
    }
  }
}

function encodeRecallHandle(topic: string, id: string): string {
  return Buffer.from(JSON.stringify([1, topic, id])).toString('base64url');
}

function decodeRecallHandle(handle: string): { topic: string; id: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(handle, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed[0] === 1 && typeof parsed[1] === 'string' && typeof parsed[2] === 'string') {
      return { topic: parsed[1], id: parsed[2] };
    }
  } catch {
    // reported below
  }
  throw new InvalidRequestError('BAD_REQUEST', 'malformed recall handle');
}
