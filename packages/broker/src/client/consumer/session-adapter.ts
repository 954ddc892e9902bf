import { ClientType, Permission } from '../../wire/enums.js';
import { durationOf, type MessageQueue } from '../../wire/types.js';
import { ClientSession, endpointOf } from '../session/index.js';
import type { ClientOptions, SubscriptionExpression } from '../types.js';
import type { ConsumerSession, ConsumerSettings, ReceiveTarget } from './consumer-session.js';
import { consumerSettingsOf } from './consumer-settings.js';
import { toFilterExpression } from './filter-expression.js';
import type { ReceiveStream } from './receive-stream.js';

/** The options of a consumer client a session needs. */
export interface ConsumerSessionOptions extends ClientOptions {
  readonly group: string;
  readonly subscriptions: Readonly<Record<string, SubscriptionExpression>>;
  /** A simple consumer's long-polling time, announced in its Settings. */
  readonly awaitMs?: number;
}

const READABLE: ReadonlySet<number | undefined> = new Set([Permission.READ, Permission.READ_WRITE]);

/**
 * The {@link ConsumerSession} of a simple or push consumer over a {@link ClientSession}: its
 * Settings announce the group and its subscriptions (tag or SQL filters); it receives from one
 * readable queue per broker of a topic's route.
 */
export function openConsumerSession(what: string, options: ConsumerSessionOptions, kind: 'simple' | 'push'): ConsumerSession {
  const topics = Object.keys(options.subscriptions);
  const session: ClientSession = new ClientSession({
    what,
    options,
    clientType: kind === 'push' ? ClientType.PUSH_CONSUMER : ClientType.SIMPLE_CONSUMER,
    group: options.group,
    topics: () => topics,
    pubSub: () => ({
      subscription: {
        group: session.resource(options.group),
        subscriptions: topics.map((topic) => ({ topic: session.resource(topic), expression: toFilterExpression(options.subscriptions[topic]!) })),
        ...(kind === 'simple' && options.awaitMs !== undefined && { longPollingTimeout: durationOf(options.awaitMs) }),
      },
    }),
  });
  let answered: object | undefined;
  let settings: ConsumerSettings = consumerSettingsOf(undefined);
  return {
    requestTimeoutMs: session.requestTimeoutMs,
    namespace: session.namespace,
    start: (method) => session.start(method),
    async receiveTargets(topic) {
      return targetsOf((await session.route(topic)).queues);
    },
    settings() {
      const current = session.serverSettings();
      if (current !== answered) {
        answered = current;
        settings = consumerSettingsOf(current);
      }
      return settings;
    },
    unary: async <Res>(endpoint: string, method: string, request: object) => (await session.call(method, endpoint, request, { checkStatus: false })) as Res,
    receiveStream: (endpoint, request, timeoutMs) => session.stream('ReceiveMessage', endpoint, request, timeoutMs) as unknown as ReceiveStream,
    callError: (error, endpoint) => session.toError(error, 'ReceiveMessage', endpoint),
    close: () => session.close(),
  };
}

/**
 * One readable queue per broker of a route (by broker name, else endpoint: behind a proxy all
 * brokers share its endpoint); none when no queue is readable.
 */
export function targetsOf(queues: readonly MessageQueue[]): ReceiveTarget[] {
  const targets = new Map<string, ReceiveTarget>();
  for (const queue of queues) {
    if (!READABLE.has(queue.permission)) continue;
    const endpoint = endpointOf(queue.broker?.endpoints);
    if (endpoint === undefined) continue;
    const key = queue.broker?.name || endpoint;
    if (!targets.has(key)) targets.set(key, { key, queue, endpoint });
  }
  return [...targets.values()];
}
