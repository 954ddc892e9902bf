import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, ExternalContextCreator, MetadataScanner } from '@nestjs/core';
import { createPushConsumer, type ReceivedMessage, type TxmqPushConsumer } from '@txmq/broker/client';
import { createInbox, inboxMessageId, type Outbox } from '@txmq/outbox';
import { NonRetryableError } from '../errors.js';
import type { ResolvedOptions } from '../options.js';
import { TXMQ_OUTBOX, TXMQ_RESOLVED_OPTIONS } from '../tokens.js';
import { TransactionHost } from '../transaction/transaction-host.js';
import { onMessageOptions, type OnMessageOptions } from './on-message.js';
import { Semaphore } from './semaphore.js';
import { TxmqContext } from '../txmq-context.js';

/** One `@OnMessage` method, wrapped with the Nest enhancers that apply to it. */
interface Binding {
  readonly options: OnMessageOptions;
  readonly name: string;
  readonly call: (message: ReceivedMessage, context: TxmqContext) => Promise<unknown>;
  readonly limit: Semaphore | undefined;
}

/**
 * Finds the `@OnMessage` methods of the application's providers at bootstrap and, with the
 * module option `consumers` (default true), runs one push consumer per consumer group for them.
 * At shutdown it stops receiving and waits for the handlers running to commit.
 */
@Injectable()
export class TxmqConsumers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly #log = new Logger('TxmqConsumers');
  #consumers: TxmqPushConsumer[] = [];

  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(ExternalContextCreator) private readonly contexts: ExternalContextCreator,
    @Inject(TransactionHost) private readonly host: TransactionHost,
    @Inject(TXMQ_RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    @Inject(TXMQ_OUTBOX) private readonly outbox: Outbox,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.consumers) return;
    const groups = this.#discover();
    if (groups.size === 0) return;
    // The lifecycle migrates at the same time; migrating is idempotent and safe concurrently,
    // and no message may reach a handler before the inbox table exists.
    if (this.options.migrate) await this.outbox.migrate();
    this.#consumers = [...groups].map(([group, bindings]) => this.#consumer(group, bindings));
    await Promise.all(this.#consumers.map((consumer) => consumer.start()));
  }

  async beforeApplicationShutdown(): Promise<void> {
    const consumers = this.#consumers;
    this.#consumers = [];
    await Promise.all(consumers.map((consumer) => consumer.close()));
  }

  /** The `@OnMessage` methods by group, then topic. */
  #discover(): Map<string, Map<string, Binding>> {
    const groups = new Map<string, Map<string, Binding>>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | null | undefined;
      if (instance === null || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance) as object | null;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const options = onMessageOptions(instance[method]);
        if (options === undefined) continue;
        const name = `${instance.constructor.name}.${method}`;
        const topics = groups.get(options.group) ?? new Map<string, Binding>();
        const taken = topics.get(options.topic);
        if (taken !== undefined) {
          throw new TypeError(`@OnMessage(): ${name} and ${taken.name} both consume topic ${options.topic} as group ${options.group}`);
        }
        const call = this.contexts.create(
          instance, instance[method] as (...args: unknown[]) => unknown, method,
          undefined, undefined, undefined, undefined, { guards: true, interceptors: true, filters: true }, 'txmq',
        ) as Binding['call'];
        topics.set(options.topic, { options, name, call, limit: options.concurrency === undefined ? undefined : new Semaphore(options.concurrency) });
        groups.set(options.group, topics);
      }
    }
    return groups;
  }

  #consumer(group: string, bindings: Map<string, Binding>): TxmqPushConsumer {
    const { endpoints, namespace, logger, schema, db } = this.options;
    const inbox = createInbox({ db, schema, consumerGroup: group });
    const host = this.host;
    const handle = async (binding: Binding, message: ReceivedMessage): Promise<void> => {
      const context = new TxmqContext([message, group]);
      const outcome = await host.adopt((enter) => inbox.process(message, (trx) => enter(trx, () => binding.call(message, context))));
      if (outcome.status === 'duplicate') this.#log.debug(`${binding.name}: message ${outcome.messageId} already applied, acknowledged`);
    };
    return createPushConsumer({
      endpoints,
      group,
      ...(namespace !== undefined && { namespace }),
      ...(logger !== undefined && { logger }),
      subscriptions: Object.fromEntries([...bindings].map(([topic, b]) => [topic, b.options.tag ?? '*'])),
      async handler(message) {
        const binding = bindings.get(message.topic);
        if (binding === undefined) throw new Error(`no @OnMessage handler for topic ${message.topic} in group ${group}`);
        await (binding.limit === undefined ? handle(binding, message) : binding.limit.run(() => handle(binding, message)));
      },
      onHandlerError: (error, message) => {
        const name = bindings.get(message.topic)?.name ?? group;
        this.#log.error(
          `${name}: message ${safeId(message)} (attempt ${message.deliveryAttempt}) failed and was rolled back: ${String(error)}`,
          error instanceof Error ? error.stack : undefined,
        );
      },
      deadLetter: (error, message) => {
        if (error instanceof NonRetryableError) return true;
        const maxAttempts = bindings.get(message.topic)?.options.maxAttempts;
        return maxAttempts !== undefined && message.deliveryAttempt >= maxAttempts;
      },
    });
  }
}

function safeId(message: ReceivedMessage): string {
  try {
    return inboxMessageId(message);
  } catch {
    return message.messageId;
  }
}
