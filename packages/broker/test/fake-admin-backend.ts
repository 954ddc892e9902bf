import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { AdminBackend } from '../src/admin/backend.js';
import { brokerAdminService } from '../src/admin/broker-admin-service.js';
import { transactionAdminService } from '../src/admin/transaction-service.js';
import type { CallAuthenticator } from '../src/auth/call-auth.js';
import { loadBrokerAdmin, loadTransactionAdmin } from '../src/client/admin-proto.js';
import type { Resolution } from '../src/core/transactions.js';
import type {
  DeadLetterView,
  GroupChange,
  GroupView,
  MessageTrace,
  MessageView,
  Page,
  PageRequest,
  ResetResult,
  ResetTarget,
  TopicChange,
  TopicView,
} from '../src/core/views/index.js';
import { InvalidRequestError, NotFoundError } from '../src/errors.js';
import type { HalfEntity } from '../src/store/store.js';
import { silentLog } from './helpers.js';

/** Items of `all` for `page` (tokens are the next index, as text). */
function paged<T>(all: readonly T[], page: PageRequest = {}): Page<T> {
  const start = page.pageToken ? Number(page.pageToken) : 0;
  if (!Number.isInteger(start) || start < 0) throw new InvalidRequestError('BAD_REQUEST', `invalid page token ${page.pageToken}`);
  const end = start + (page.pageSize ?? 50);
  return { items: all.slice(start, end), ...(end < all.length && { nextPageToken: String(end) }) };
}

export function message(overrides: Partial<MessageView> = {}): MessageView {
  return {
    messageId: 'M1',
    topic: 'orders',
    offset: 0,
    queueId: 0,
    kind: 'NORMAL',
    tag: 'created',
    keys: ['order-1'],
    properties: { p: 'v' },
    bornAt: 1_700_000_000_000,
    bornHost: 'host-a',
    producerClientId: 'producer-1',
    storedAt: 1_700_000_000_100,
    body: Buffer.from('{"order":1}'),
    ...overrides,
  };
}

function untagged({ tag: _tag, ...rest }: MessageView): MessageView {
  return rest;
}

export function group(name: string, overrides: Partial<GroupView> = {}): GroupView {
  return {
    name,
    fifo: false,
    broadcast: false,
    maxDeliveryAttempts: 16,
    retryBackoff: { initialMs: 1000, maxMs: 60_000, multiplier: 2 },
    origin: 'config',
    consumersOnline: 1,
    subscriptions: [{ topic: 'orders', consumer: name, nextOffset: 3, endOffset: 10, lag: 7, inFlight: 2 }],
    lag: 7,
    inFlight: 2,
    deadLetters: 1,
    ...overrides,
  };
}

/** An in-memory {@link AdminBackend} with a few topics, groups and messages; `calls` records what was asked. */
export class FakeAdminBackend implements AdminBackend {
  readonly calls: unknown[][] = [];
  readonly topics = new Map<string, TopicView>([
    ['orders', { name: 'orders', queues: 4, messageType: 'NORMAL', origin: 'config', firstOffset: 0, nextOffset: 10, lastStoredAt: 1_700_000_000_100 }],
    ['payments', { name: 'payments', queues: 1, messageType: 'TRANSACTION', origin: 'auto', firstOffset: 0, nextOffset: 0 }],
  ]);
  readonly groups = new Map<string, GroupView>([['billing', group('billing')]]);
  messages: MessageView[] = [
    message(),
    message({ messageId: 'M2', offset: 1, keys: ['order-2'], storedAt: 1_700_000_060_000, body: Buffer.alloc(1000, 0x61) }),
    untagged(message({ messageId: 'M3', offset: 2, keys: ['order-1'], storedAt: 1_700_000_120_000 })),
  ];
  readonly traces = new Map<string, MessageTrace>([
    [
      'M1',
      {
        messageId: 'M1',
        events: [
          { type: 'sent', at: 1_700_000_000_000, clientId: 'producer-1' },
          { type: 'stored', at: 1_700_000_000_100, topic: 'orders' },
          { type: 'delivered', at: 1_700_000_000_200, topic: 'orders', group: 'billing', clientId: 'consumer-1', attempt: 1 },
          { type: 'dead-lettered', at: 1_700_000_000_300, topic: '%DLQ%billing', group: 'billing', attempt: 1, note: 'max attempts' },
        ],
      },
    ],
  ]);
  readonly deadLetters = new Map<string, DeadLetterView>([
    [
      'M1',
      {
        group: 'billing',
        message: message({ topic: '%DLQ%billing', offset: 0, deadLetter: { originTopic: 'orders', originMessageId: 'M1' } }),
      },
    ],
  ]);
  halves: HalfEntity[] = [];

  #topic(name: string): TopicView {
    const topic = this.topics.get(name);
    if (!topic) throw new NotFoundError('TOPIC_NOT_FOUND', `topic ${name} does not exist`);
    return topic;
  }

  #group(name: string): GroupView {
    const found = this.groups.get(name);
    if (!found) throw new NotFoundError('CONSUMER_GROUP_NOT_FOUND', `consumer group ${name} does not exist`);
    return found;
  }

  listTopics(page?: PageRequest): Page<TopicView> {
    this.calls.push(['listTopics', page]);
    return paged([...this.topics.values()].sort((a, b) => a.name.localeCompare(b.name)), page);
  }

  describeTopic(name: string): TopicView {
    return this.#topic(name);
  }

  async createTopic(name: string, change: TopicChange): Promise<TopicView> {
    this.calls.push(['createTopic', name, change]);
    if (this.topics.has(name)) throw new InvalidRequestError('PRECONDITION_FAILED', `topic ${name} already exists`);
    if (change.queues !== undefined && change.queues > 64) throw new InvalidRequestError('ILLEGAL_TOPIC', `queues must be 1 to 64, got ${change.queues}`);
    const topic: TopicView = { name, queues: change.queues ?? 1, messageType: change.messageType ?? 'NORMAL', origin: 'admin', firstOffset: 0, nextOffset: 0 };
    this.topics.set(name, topic);
    return topic;
  }

  async updateTopic(name: string, change: TopicChange): Promise<TopicView> {
    this.calls.push(['updateTopic', name, change]);
    const topic = { ...this.#topic(name), ...change, origin: 'admin' as const };
    this.topics.set(name, topic);
    return topic;
  }

  listGroups(page?: PageRequest): Page<GroupView> {
    this.calls.push(['listGroups', page]);
    return paged([...this.groups.values()], page);
  }

  describeGroup(name: string): GroupView {
    return this.#group(name);
  }

  async createGroup(name: string, change: GroupChange): Promise<GroupView> {
    this.calls.push(['createGroup', name, change]);
    if (this.groups.has(name)) throw new InvalidRequestError('PRECONDITION_FAILED', `consumer group ${name} already exists`);
    const created = group(name, { ...this.#applied(group(name, { subscriptions: [], lag: 0, inFlight: 0, deadLetters: 0, consumersOnline: 0 }), change), origin: 'admin' });
    this.groups.set(name, created);
    return created;
  }

  async updateGroup(name: string, change: GroupChange): Promise<GroupView> {
    this.calls.push(['updateGroup', name, change]);
    const updated = { ...this.#applied(this.#group(name), change), origin: 'admin' as const };
    this.groups.set(name, updated);
    return updated;
  }

  #applied(base: GroupView, change: GroupChange): GroupView {
    return { ...base, ...change, retryBackoff: { ...base.retryBackoff, ...change.retryBackoff } };
  }

  findMessagesById(messageId: string): MessageView[] {
    this.calls.push(['findMessagesById', messageId]);
    return this.messages.filter((m) => m.messageId === messageId);
  }

  findMessagesByKey(topic: string, key: string, page?: PageRequest): Page<MessageView> {
    this.calls.push(['findMessagesByKey', topic, key, page]);
    this.#topic(topic);
    return paged(this.messages.filter((m) => m.topic === topic && m.keys.includes(key)), page);
  }

  findMessagesByTime(topic: string, fromMs: number, toMs: number, page?: PageRequest): Page<MessageView> {
    this.calls.push(['findMessagesByTime', topic, fromMs, toMs, page]);
    this.#topic(topic);
    return paged(this.messages.filter((m) => m.topic === topic && m.storedAt >= fromMs && m.storedAt < toMs), page);
  }

  traceMessage(messageId: string): MessageTrace | undefined {
    return this.traces.get(messageId);
  }

  listDeadLetters(groupName: string, page?: PageRequest): Page<DeadLetterView> {
    this.#group(groupName);
    return paged([...this.deadLetters.values()].filter((d) => d.group === groupName), page);
  }

  async resendDeadLetter(groupName: string, messageId: string): Promise<{ messageId: string; topic: string; offset: number }> {
    this.calls.push(['resendDeadLetter', groupName, messageId]);
    this.#group(groupName);
    const deadLetter = this.deadLetters.get(messageId);
    if (!deadLetter || deadLetter.group !== groupName) throw new NotFoundError('MESSAGE_NOT_FOUND', `no dead letter ${messageId} in %DLQ%${groupName}`);
    if (deadLetter.resentAt !== undefined) throw new InvalidRequestError('PRECONDITION_FAILED', `dead letter ${messageId} was already resent`);
    this.deadLetters.set(messageId, { ...deadLetter, resentAt: 1_700_000_500_000 });
    return { messageId, topic: deadLetter.message.deadLetter!.originTopic, offset: 10 };
  }

  async resetGroup(groupName: string, to: ResetTarget, topic?: string): Promise<ResetResult> {
    this.calls.push(['resetGroup', groupName, to, topic]);
    const found = this.#group(groupName);
    if (topic !== undefined) this.#topic(topic);
    return {
      group: groupName,
      subscriptions: found.subscriptions
        .filter((s) => topic === undefined || s.topic === topic)
        .map((s) => ({ topic: s.topic, consumer: s.consumer, from: s.nextOffset, to: to === 'end' ? s.endOffset : 0 })),
    };
  }

  unsettledTransactions(): HalfEntity[] {
    return this.halves;
  }

  transaction(transactionId: string): HalfEntity | undefined {
    return this.halves.find((h) => h.transactionId === transactionId);
  }

  async endTransaction(transactionId: string, resolution: Resolution): Promise<boolean> {
    this.calls.push(['endTransaction', transactionId, resolution]);
    const before = this.halves.length;
    this.halves = this.halves.filter((h) => h.transactionId !== transactionId);
    if (this.halves.length === before) throw new NotFoundError('INVALID_TRANSACTION_ID', `unknown transaction ${transactionId}`);
    return true;
  }

  storeBytes(): number {
    return 0;
  }

  traceEventsDropped(): number {
    return 0;
  }

  onMessageEvents(): () => void {
    return () => undefined;
  }
}

/** A gRPC server on a free port serving both admin services over `backend`. */
export async function startFakeAdminServer(
  backend: AdminBackend,
  options: { maxResponseBytes?: number; auth?: CallAuthenticator; log?: Logger } = {},
): Promise<{ endpoint: string; shutdown: AbortController; close(): Promise<void> }> {
  const maxResponseBytes = options.maxResponseBytes ?? 5 * 1024 * 1024;
  // As the broker's server: no answer larger than the frame limit leaves.
  const server = new Server({ 'grpc.max_send_message_length': maxResponseBytes });
  const shutdown = new AbortController();
  const context = { backend, log: options.log ?? silentLog, shutdown: shutdown.signal, auth: options.auth };
  server.addService(loadBrokerAdmin().service, brokerAdminService({ ...context, maxResponseBytes }));
  server.addService(loadTransactionAdmin().service, transactionAdminService(context));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    endpoint: `127.0.0.1:${port}`,
    shutdown,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
