import { createRequire } from 'node:module';
import { Producer, PushConsumer, SimpleConsumer, type FilterExpression, type MessageListener, type MessageView } from 'rocketmq-client-nodejs';
import { eventually } from '@txmq/test-support';
import { quietLogger } from './broker-process.js';

// The official client's consume services (every PushConsumer) ignore the `logger` option and each
// create their own egg-logger through `getDefaultLogger()`. Nothing ever closes it, and its 1 s
// flush interval keeps the process alive after `shutdown()`, so a test file with a PushConsumer
// would never exit. The services look the function up on the module's exports at call time.
const clientLoggerModule = createRequire(import.meta.url)('rocketmq-client-nodejs/dist/client/Logger.js') as { getDefaultLogger: () => unknown };
clientLoggerModule.getDefaultLogger = () => quietLogger;

interface Client {
  shutdown(): Promise<void>;
}

/**
 * Official `rocketmq-client-nodejs` clients of one test file: every client started through a pool
 * is shut down by {@link ClientPool.shutdownAll}. A PushConsumer's shutdown waits for its in-flight
 * long poll (up to 20 s), so tests {@link ClientPool.retire} push consumers as soon as they are
 * done, letting that wait overlap with the next tests.
 */
export class ClientPool {
  readonly #live = new Set<Client>();
  readonly #stopping: Promise<void>[] = [];

  constructor(private readonly endpoint: () => string) {}

  /** A started Producer with exactly one topic at construction (several can hang startup). */
  async producer(topic: string): Promise<Producer> {
    return this.#start(new Producer({ endpoints: this.endpoint(), namespace: '', topic, logger: quietLogger }));
  }

  /** A started SimpleConsumer; `expression` is a tag expression or a FilterExpression, `awaitMs` its long-polling time. */
  async simple(group: string, topic: string, expression: string | FilterExpression = '*', awaitMs = 1000): Promise<SimpleConsumer> {
    return this.#start(
      new SimpleConsumer({
        endpoints: this.endpoint(),
        namespace: '',
        consumerGroup: group,
        subscriptions: new Map([[topic, expression]]),
        awaitDuration: awaitMs,
        logger: quietLogger,
      }),
    );
  }

  /** A started PushConsumer. */
  async push(group: string, topic: string, listener: MessageListener['consume'], options: { expression?: string | FilterExpression; accelerator?: boolean } = {}): Promise<PushConsumer> {
    return this.#start(
      new PushConsumer({
        endpoints: this.endpoint(),
        namespace: '',
        consumerGroup: group,
        subscriptions: new Map([[topic, options.expression ?? '*']]),
        messageListener: { consume: listener },
        ...(options.accelerator !== undefined && { enableFifoConsumeAccelerator: options.accelerator }),
        logger: quietLogger,
      }),
    );
  }

  /** Starts shutting `client` down now; {@link shutdownAll} waits for it. */
  retire(client: Client): void {
    if (!this.#live.delete(client)) return;
    this.#stopping.push(client.shutdown());
  }

  /** Shuts every client down, concurrently. */
  async shutdownAll(): Promise<void> {
    for (const client of [...this.#live]) this.retire(client);
    const results = await Promise.allSettled(this.#stopping.splice(0));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) throw new AggregateError(failed.map((f) => f.reason), 'client shutdown failed');
  }

  async #start<T extends Client & { startup(): Promise<void> }>(client: T): Promise<T> {
    this.#live.add(client);
    await client.startup();
    return client;
  }
}

/** Receives from `consumer` until `count` messages arrived (acking each unless `ack` is false). */
export async function receiveN(
  consumer: SimpleConsumer,
  count: number,
  options: { invisibleMs?: number; ack?: boolean; timeoutMs?: number; batch?: number } = {},
): Promise<MessageView[]> {
  const received: MessageView[] = [];
  await eventually(
    `${count} messages (got ${received.length})`,
    async () => {
      const batch = await consumer.receive(Math.min(options.batch ?? 32, count - received.length), options.invisibleMs ?? 15_000);
      for (const message of batch) {
        received.push(message);
        if (options.ack !== false) await consumer.ack(message);
      }
      return received.length >= count;
    },
    { timeoutMs: options.timeoutMs ?? 15_000 },
  );
  return received;
}

/** One receive call that must come back empty (the broker long-polls for the consumer's await time). */
export async function receiveNothing(consumer: SimpleConsumer, invisibleMs = 15_000): Promise<MessageView[]> {
  return consumer.receive(32, invisibleMs);
}

/** Runs `fn` and returns the error it throws; fails if it does not throw. */
export async function errorOf(fn: () => Promise<unknown>): Promise<Error & { code?: number | string }> {
  try {
    await fn();
  } catch (error) {
    return error as Error & { code?: number };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** The client's text body of a message. */
export const text = (message: MessageView): string => message.body.toString();

/**
 * Watches a started PushConsumer: the returned function tells whether it has sent a ReceiveMessage
 * yet (its first comes about 1 s after startup, with its first QueryAssignment).
 */
export function watchPolling(consumer: PushConsumer): () => boolean {
  let polling = false;
  const receive = consumer.receiveMessage.bind(consumer);
  consumer.receiveMessage = (...args) => {
    polling = true;
    return receive(...args);
  };
  return () => polling;
}
