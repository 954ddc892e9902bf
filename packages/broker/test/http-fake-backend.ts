import type { AdminBackend } from '../src/admin/backend.js';
import type { Resolution } from '../src/core/transactions.js';
import type {
  DeadLetterView,
  GroupView,
  MessageEvent,
  MessageEventListener,
  MessageTrace,
  MessageView,
  Page,
  PageRequest,
  ResendResult,
  TopicView,
} from '../src/core/views/index.js';
import { InvalidRequestError, NotFoundError } from '../src/errors.js';
import type { HalfEntity } from '../src/store/store.js';

/** Pages `items` by an index token (enough for tests of what pages through them). */
function paged<T>(items: readonly T[], page: PageRequest = {}): Page<T> {
  const start = page.pageToken ? Number(page.pageToken) : 0;
  const size = page.pageSize ?? 50;
  const end = start + size;
  return { items: items.slice(start, end), ...(end < items.length && { nextPageToken: String(end) }) };
}

/**
 * An {@link AdminBackend} over plain arrays the test fills; it records the calls that change
 * something, and `emit` plays message events to the subscribers.
 */
export class FakeAdminBackend implements AdminBackend {
  topics: TopicView[] = [];
  groups: GroupView[] = [];
  messages: MessageView[] = [];
  traces: MessageTrace[] = [];
  deadLetters: DeadLetterView[] = [];
  halves: HalfEntity[] = [];
  bytes = 0;
  dropped = 0;
  readonly calls: string[] = [];
  readonly #listeners = new Set<MessageEventListener>();

  listTopics(page?: PageRequest): Page<TopicView> {
    return paged(this.topics, page);
  }
  describeTopic(name: string): TopicView {
    const topic = this.topics.find((t) => t.name === name);
    if (!topic) throw new NotFoundError('TOPIC_NOT_FOUND', `topic ${name} does not exist`);
    return topic;
  }
  async createTopic(): Promise<TopicView> {
    throw new Error('not used by the console');
  }
  async updateTopic(): Promise<TopicView> {
    throw new Error('not used by the console');
  }
  listGroups(page?: PageRequest): Page<GroupView> {
    return paged(this.groups, page);
  }
  describeGroup(name: string): GroupView {
    const group = this.groups.find((g) => g.name === name);
    if (!group) throw new NotFoundError('CONSUMER_GROUP_NOT_FOUND', `consumer group ${name} does not exist`);
    return group;
  }
  async createGroup(): Promise<GroupView> {
    throw new Error('not used by the console');
  }
  async updateGroup(): Promise<GroupView> {
    throw new Error('not used by the console');
  }
  findMessagesById(messageId: string): MessageView[] {
    return this.messages.filter((m) => m.messageId === messageId);
  }
  findMessagesByKey(topic: string, key: string, page?: PageRequest): Page<MessageView> {
    this.describeTopic(topic);
    return paged(this.messages.filter((m) => m.topic === topic && m.keys.includes(key)), page);
  }
  findMessagesByTime(topic: string, fromMs: number, toMs: number, page?: PageRequest): Page<MessageView> {
    this.describeTopic(topic);
    return paged(this.messages.filter((m) => m.topic === topic && m.storedAt >= fromMs && m.storedAt < toMs), page);
  }
  traceMessage(messageId: string): MessageTrace | undefined {
    return this.traces.find((t) => t.messageId === messageId);
  }
  listDeadLetters(group: string, page?: PageRequest): Page<DeadLetterView> {
    this.describeGroup(group);
    return paged(this.deadLetters.filter((d) => d.group === group), page);
  }
  async resendDeadLetter(group: string, messageId: string): Promise<ResendResult> {
    const deadLetter = this.deadLetters.find((d) => d.group === group && d.message.messageId === messageId);
    if (!deadLetter) throw new NotFoundError('MESSAGE_NOT_FOUND', `no message ${messageId} in %DLQ%${group}`);
    if (deadLetter.resentAt !== undefined) throw new InvalidRequestError('BAD_REQUEST', `message ${messageId} was resent already`);
    this.calls.push(`resend ${group} ${messageId}`);
    this.deadLetters = this.deadLetters.map((d) => (d === deadLetter ? { ...d, resentAt: 1_700_000_000_000 } : d));
    return { messageId, topic: deadLetter.message.deadLetter!.originTopic, offset: 7 };
  }
  async resetGroup(): Promise<never> {
    throw new Error('not used by the console');
  }
  unsettledTransactions(): HalfEntity[] {
    return [...this.halves];
  }
  transaction(transactionId: string): HalfEntity | undefined {
    return this.halves.find((h) => h.transactionId === transactionId);
  }
  async endTransaction(transactionId: string, resolution: Resolution): Promise<boolean> {
    this.calls.push(`${resolution} ${transactionId}`);
    const before = this.halves.length;
    this.halves = this.halves.filter((h) => h.transactionId !== transactionId);
    return this.halves.length < before;
  }
  storeBytes(): number {
    return this.bytes;
  }
  traceEventsDropped(): number {
    return this.dropped;
  }
  onMessageEvents(listener: MessageEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Plays `events` to every subscriber, as the core does. */
  emit(...events: MessageEvent[]): void {
    for (const listener of this.#listeners) listener(events);
  }

  get subscribers(): number {
    return this.#listeners.size;
  }
}

/** A stored message with sensible defaults. */
export function messageView(overrides: Partial<MessageView> & Pick<MessageView, 'messageId' | 'topic'>): MessageView {
  return {
    offset: 0,
    queueId: 0,
    kind: 'NORMAL',
    keys: [],
    properties: {},
    bornAt: 1_700_000_000_000,
    bornHost: '10.0.0.1',
    storedAt: 1_700_000_000_500,
    body: Buffer.from('hello'),
    ...overrides,
  };
}

/** A group with one subscription. */
export function groupView(name: string, topic: string, position: { lag: number; inFlight: number }): GroupView {
  return {
    name,
    fifo: false,
    broadcast: false,
    maxDeliveryAttempts: 16,
    retryBackoff: { initialMs: 1000, maxMs: 60_000, multiplier: 2 },
    origin: 'config',
    consumersOnline: 1,
    subscriptions: [{ topic, consumer: name, nextOffset: 10 - position.lag, endOffset: 10, ...position }],
    lag: position.lag,
    inFlight: position.inFlight,
    deadLetters: 0,
  };
}
