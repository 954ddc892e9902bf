import 'reflect-metadata';
import { checkGroupName, checkTopicName, ConfigError } from '@txmq/broker/client';

/** Options of {@link OnMessage}. */
export interface OnMessageOptions {
  /** The topic to consume. */
  readonly topic: string;
  /** The consumer group; also the inbox's dedup scope, so each group applies a message once. */
  readonly group: string;
  /** Tag expression (`*`, `A || B`); default `*`. */
  readonly tag?: string;
  /**
   * SQL92 filter over the message's user properties, as RocketMQ consumers subscribe with it
   * (`"amount > 100 AND region IN ('eu', 'us')"`; `TAGS` is the message's tag): only matching
   * messages are delivered. A message lacking a property the filter compares is not delivered.
   * Excludes `tag` (other than `*`); the broker refuses an expression that does not parse when the
   * consumer starts.
   */
  readonly sql?: string;
  /**
   * Deliveries before a failing message goes to `%DLQ%<group>`; default the group's (the
   * broker's `maxDeliveryAttempts`). A value above the group's has no effect beyond it.
   */
  readonly maxAttempts?: number;
  /** Handlers of this consumer running at once in this process; default no limit of its own. */
  readonly concurrency?: number;
}

/** @internal Metadata key of {@link OnMessage} on a method. */
export const ON_MESSAGE_METADATA = Symbol.for('txmq.nest.on-message');

/**
 * Consumes `topic` as `group` with the decorated provider method, called as
 * `(message: ReceivedMessage, context: TxmqContext)` inside an inbox transaction of the
 * module's `TransactionHost`: the handler's writes through `TransactionHost.tx`, the inbox
 * record and its `TxmqProducer.send`s commit together, and the message is acknowledged after
 * that commit. With the parameter decorators of `@nestjs/microservices` the method gets
 * `@Payload()` (the decoded body, or `@Payload('field')` one property of it) and `@Ctx()` (the
 * `TxmqContext`) instead, after the pipes. A message already applied by the group (same
 * `txmq-message-id`) is acknowledged without calling the handler. A throw (of the handler, a
 * guard, pipe or interceptor) rolls back and the broker redelivers with its backoff; after
 * `maxAttempts`, or at once for a `NonRetryableError` or for an `HttpException` with status 400
 * or 422 thrown by a parameter pipe (what validation pipes throw; thrown by the handler itself it
 * is retried), the message goes to `%DLQ%<group>`. Nest guards,
 * interceptors, pipes and exception filters apply, with `getType()` `'txmq'`.
 *
 * @throws TypeError naming a bad option, and ConfigError for `sql` combined with a `tag`, when the class is defined.
 */
export function OnMessage(options: OnMessageOptions): MethodDecorator {
  const checked = checkOptions(options);
  return (target, key, descriptor) => {
    if (typeof descriptor.value !== 'function') throw new TypeError(`@OnMessage() can only decorate methods (${String(key)})`);
    Reflect.defineMetadata(ON_MESSAGE_METADATA, checked, descriptor.value as object);
    return descriptor;
  };
}

/** The options of the method's {@link OnMessage}, if it has one. */
export function onMessageOptions(method: unknown): OnMessageOptions | undefined {
  if (typeof method !== 'function') return undefined;
  return Reflect.getMetadata(ON_MESSAGE_METADATA, method) as OnMessageOptions | undefined;
}

function checkOptions(options: OnMessageOptions): OnMessageOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('@OnMessage(): options must be an object');
  const violation = checkTopicName(options.topic, 'topic') ?? checkGroupName(options.group, 'group');
  if (violation !== undefined) throw new TypeError(`@OnMessage(): ${violation.field} ${violation.problem}`);
  if (options.tag !== undefined && (typeof options.tag !== 'string' || options.tag.trim() === '')) {
    throw new TypeError('@OnMessage(): tag must be a non-empty tag expression');
  }
  if (options.sql !== undefined && (typeof options.sql !== 'string' || options.sql.trim() === '')) {
    throw new TypeError('@OnMessage(): sql must be a non-empty SQL92 filter expression');
  }
  if (options.sql !== undefined && options.tag !== undefined && options.tag.trim() !== '*') {
    throw new ConfigError(`@OnMessage(): sql and tag ${JSON.stringify(options.tag)} cannot be combined; filter by tag inside the SQL expression (TAGS = 'A')`, {
      option: 'sql',
      problem: `cannot be combined with tag ${JSON.stringify(options.tag)}`,
    });
  }
  for (const name of ['maxAttempts', 'concurrency'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
      throw new TypeError(`@OnMessage(): ${name} must be a positive integer, got ${String(value)}`);
    }
  }
  return Object.freeze({ ...options });
}
