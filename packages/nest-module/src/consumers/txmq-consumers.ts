import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, ExternalContextCreator, MetadataScanner } from '@nestjs/core';
import { createPushConsumer, type ReceivedMessage, type TxmqPushConsumer } from '@txmq/broker/client';
import { createInbox, type Outbox } from '@txmq/outbox';
import { clientOptions } from '../broker-clients.js';
import type { TxmqClock } from '../clock.js';
import type { ResolvedOptions } from '../options.js';
import { TXMQ_CLOCK, TXMQ_OUTBOX, TXMQ_RESOLVED_OPTIONS } from '../tokens.js';
import { TransactionHost } from '../transaction/transaction-host.js';
import { TxmqContext } from '../txmq-context.js';
import { HandlerAbandonedError } from './abandoned.js';
import { GroupStats, type ConsumerStats, type InFlightMessage } from './consumer-stats.js';
import { isNonRetryable } from './dead-letter-rule.js';
import { deliveryId } from './message-id.js';
import { MessageParamsFactory, PARAM_ARGS_METADATA } from './message-params.js';
import { onMessageOptions, type OnMessageOptions } from './on-message.js';
import { flaggingPipeFailures } from './pipe-failures.js';
import { Semaphore } from './semaphore.js';
import { subscriptionExpression } from './subscription-expression.js';

/** One `@OnMessage` method, wrapped with the Nest enhancers that apply to it. */
interface Binding {
  readonly options: OnMessageOptions;
  readonly name: string;
  readonly call: (message: ReceivedMessage, context: TxmqContext) => Promise<unknown>;
  readonly limit: Semaphore | undefined;
}

/** A running consumer group. */
interface Group {
  readonly consumer: TxmqPushConsumer;
  readonly stats: GroupStats;
}

/** @internal The messages of one group still in flight (for the shutdown's report). */
export interface GroupInFlight {
  readonly group: string;
  readonly messages: readonly InFlightMessage[];
}

/**
 * @internal Finds the `@OnMessage` methods of the application's providers at bootstrap and, with
 * the module option `consumers` (default true), runs one push consumer per consumer group for
 * them. The module's lifecycle drains it at shutdown (stop receiving, wait for the handlers
 * running to commit) before it stops the relay. Not exported: applications read its statistics
 * through `TxmqConsumerStats`, and only the lifecycle may drain or abandon it.
 */
@Injectable()
export class TxmqConsumers implements OnApplicationBootstrap {
  readonly #log = new Logger('TxmqConsumers');
  readonly #params = new MessageParamsFactory();
  #groups: Group[] = [];
  #draining: Promise<void> | undefined;
  /** Fail the deliveries in flight; set for each while its handler runs. */
  readonly #giveUp = new Set<() => void>();
  #abandoned = false;

  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(ExternalContextCreator) private readonly contexts: ExternalContextCreator,
    @Inject(TransactionHost) private readonly host: TransactionHost,
    @Inject(TXMQ_RESOLVED_OPTIONS) private readonly options: ResolvedOptions,
    @Inject(TXMQ_OUTBOX) private readonly outbox: Outbox,
    @Inject(TXMQ_CLOCK) private readonly clock: TxmqClock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.consumers) return;
    const groups = this.#discover();
    if (groups.size === 0) return;
    // The lifecycle migrates at the same time; migrating is idempotent and safe concurrently,
    // and no message may reach a handler before the inbox table exists.
    if (this.options.migrate) await this.outbox.migrate();
    this.#groups = [...groups].map(([group, bindings]) => this.#group(group, bindings));
    await Promise.all(this.#groups.map(({ consumer }) => consumer.start()));
  }

  /** What each consumer group running in this process has done since it started (empty when none runs), for `TxmqConsumerStats`. */
  stats(): ConsumerStats[] {
    return this.#groups.map(({ stats }) => stats.snapshot());
  }

  /**
   * @internal Stops receiving and resolves once every consumer has let the handlers already
   * running commit and left its group. Idempotent.
   */
  drain(): Promise<void> {
    this.#draining ??= Promise.all(this.#groups.map(({ consumer }) => consumer.close())).then(() => undefined);
    return this.#draining;
  }

  /** @internal The groups with messages in flight, and those messages. */
  inFlight(): GroupInFlight[] {
    return this.#groups.map(({ stats }) => ({ group: stats.group, messages: stats.inFlight() })).filter((g) => g.messages.length > 0);
  }

  /**
   * @internal Stops waiting for the handlers still running: their deliveries fail at once (not
   * acknowledged, so the broker redelivers them), which lets the consumers finish closing. The
   * handlers themselves go on in the background.
   */
  abandon(): void {
    this.#abandoned = true;
    for (const giveUp of [...this.#giveUp]) giveUp();
  }

  /** The `@OnMessage` methods by group, then topic. */
  #discover(): Map<string, Map<string, Binding>> {
    const groups = new Map<string, Map<string, Binding>>();
    const contexts = flaggingPipeFailures(this.contexts);
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
        // With @Payload() / @Ctx() parameters the handler gets what they say, after the pipes;
        // without any it is called with (message, context) as is.
        const call = contexts.create(
          instance, instance[method] as (...args: unknown[]) => unknown, method,
          PARAM_ARGS_METADATA, this.#params, undefined, undefined, { guards: true, interceptors: true, filters: true }, 'txmq',
        ) as Binding['call'];
        topics.set(options.topic, { options, name, call, limit: options.concurrency === undefined ? undefined : new Semaphore(options.concurrency) });
        groups.set(options.group, topics);
      }
    }
    return groups;
  }

  #group(group: string, bindings: Map<string, Binding>): Group {
    const stats = new GroupStats(group, [...bindings.keys()], this.clock);
    return { stats, consumer: this.#consumer(group, bindings, stats) };
  }

  #consumer(group: string, bindings: Map<string, Binding>, stats: GroupStats): TxmqPushConsumer {
    const { schema, db } = this.options;
    const inbox = createInbox({ db, schema, consumerGroup: group });
    const host = this.host;
    const handle = async (binding: Binding, message: ReceivedMessage): Promise<void> => {
      const context = new TxmqContext([message, group]);
      const outcome = await host.adopt((enter) => inbox.process(message, (trx) => enter(trx, () => binding.call(message, context))));
      if (outcome.status === 'duplicate') this.#log.debug(`${binding.name}: message ${outcome.messageId} already applied, acknowledged`);
    };
    const run = (binding: Binding, message: ReceivedMessage, messageId: string): Promise<void> => {
      // Checked again once a `concurrency` slot is free: a delivery still waiting when the bound
      // passed has already failed, and its handler must not start after app.close() returned.
      const start = (): Promise<void> => {
        if (!this.#abandoned) return handle(binding, message);
        this.#log.debug(`${binding.name}: message ${messageId} was waiting for concurrency when shutdownTimeoutMs passed; not started`);
        return Promise.reject(new HandlerAbandonedError(binding.name, messageId));
      };
      return binding.limit === undefined ? start() : binding.limit.run(start);
    };
    return createPushConsumer({
      ...clientOptions(this.options),
      group,
      subscriptions: Object.fromEntries([...bindings].map(([topic, b]) => [topic, subscriptionExpression(b.options)])),
      handler: async (message) => {
        const binding = bindings.get(message.topic);
        if (binding === undefined) throw new Error(`no @OnMessage handler for topic ${message.topic} in group ${group}`);
        const messageId = deliveryId(message);
        const entry = stats.received(message, binding.name, messageId);
        let acknowledged = false;
        try {
          await this.#unlessAbandoned(binding.name, messageId, () => run(binding, message, messageId));
          acknowledged = true;
        } finally {
          stats.settled(entry, acknowledged);
        }
      },
      onHandlerError: (error, message) => {
        const name = bindings.get(message.topic)?.name ?? group;
        // The shutdown reports these together, naming the handlers.
        if (error instanceof HandlerAbandonedError) return;
        const next = isNonRetryable(error) ? `; not retryable, moving it to %DLQ%${group}` : '';
        this.#log.error(
          `${name}: message ${deliveryId(message)} (attempt ${message.deliveryAttempt}) failed and was rolled back${next}: ${String(error)}`,
          error instanceof Error ? error.stack : undefined,
        );
      },
      deadLetter: (error, message) => {
        if (error instanceof HandlerAbandonedError) return false;
        if (isNonRetryable(error)) return true;
        const maxAttempts = bindings.get(message.topic)?.options.maxAttempts;
        return maxAttempts !== undefined && message.deliveryAttempt >= maxAttempts;
      },
    });
  }

  /** Runs `handle`, unless {@link abandon} is called first: then a {@link HandlerAbandonedError}. */
  async #unlessAbandoned(handler: string, messageId: string, handle: () => Promise<void>): Promise<void> {
    if (this.#abandoned) throw new HandlerAbandonedError(handler, messageId);
    let giveUp!: () => void;
    const abandoned = new Promise<never>((_, reject) => (giveUp = () => reject(new HandlerAbandonedError(handler, messageId))));
    this.#giveUp.add(giveUp);
    try {
      await Promise.race([handle(), abandoned]);
    } finally {
      this.#giveUp.delete(giveUp);
    }
  }
}
