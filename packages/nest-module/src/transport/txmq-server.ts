import { Server, type CustomTransportStrategy, type ReadPacket } from '@nestjs/microservices';
import { createPushConsumer, type ClientOptions, type ReceivedMessage, type TxmqPushConsumer } from '@txmq/broker/client';
import { decodeBody, InvalidOptionsError } from '@txmq/outbox';
import { finalize, isObservable, lastValueFrom } from 'rxjs';
import { RequestResponseUnsupportedError } from './request-response-unsupported.js';
import { TxmqContext } from '../txmq-context.js';
import { describeError } from '../describe-error.js';
import { securityOptions } from '../security-options.js';

/**
 * The transport id of `TxmqServer`: `@EventPattern('topic', TXMQ_TRANSPORT)` binds a handler to
 * it alone in an application with several transports.
 */
export const TXMQ_TRANSPORT = Symbol('txmq');

/** What `TxmqServer.status` and `TxmqClient.status` emit. */
export type TxmqTransportStatus = 'connected' | 'disconnected';

/**
 * Options of {@link TxmqServer}: the push consumer's client options (with `credentials`,
 * `sslEnabled` and `tlsRootCertFile` for a broker with users and TLS) and its consumer group.
 */
export interface TxmqServerOptions extends ClientOptions {
  /** The consumer group every `@EventPattern` topic is consumed in. */
  readonly group: string;
}

/**
 * A `@nestjs/microservices` custom transport consuming from a txmq broker (or a RocketMQ 5 proxy):
 * `app.connectMicroservice({ strategy: new TxmqServer({ endpoints, group }) })`.
 *
 * Each `@EventPattern('topic')` handler is one subscription (all tags) of one push consumer in
 * `group`. `@Payload()` is the decoded body (JSON parsed, text a string, other bytes a Buffer),
 * `@Ctx()` a {@link TxmqContext}. A message is acknowledged when the handler's promise resolves or
 * its observable completes; when either fails, the message is not acknowledged and the broker
 * redelivers it with the group's backoff (to `%DLQ%<group>` after its last attempt).
 * `@MessagePattern` handlers are refused at `listen`: a broker has no request-response.
 */
export class TxmqServer extends Server<Record<string, Function>, TxmqTransportStatus> implements CustomTransportStrategy {
  override transportId = TXMQ_TRANSPORT;
  /** The server awaits every handler and turns its failure into a redelivery. */
  override readonly propagatesEventHandlerErrors = true;
  private consumer: TxmqPushConsumer | undefined;

  /** Checks the options (throwing `InvalidOptionsError` naming a bad one); no I/O until `listen`. */
  constructor(private readonly options: TxmqServerOptions) {
    super();
    if (options === null || typeof options !== 'object') throw new InvalidOptionsError('options', 'must be an object');
    if (typeof options.endpoints !== 'string' || options.endpoints.trim() === '') {
      throw new InvalidOptionsError('endpoints', 'must be a "host:port" string');
    }
    if (typeof options.group !== 'string' || options.group.trim() === '') throw new InvalidOptionsError('group', 'must be a consumer group name');
    securityOptions(options);
  }

  /**
   * Subscribes to every `@EventPattern` topic and starts receiving; reports failure to `callback`
   * (a broker refusing the credentials: its `BrokerRefusedError`, 40100 with the reason).
   */
  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const topics: string[] = [];
      for (const [pattern, handler] of this.messageHandlers) {
        if (!handler.isEventHandler) throw new RequestResponseUnsupportedError(`@MessagePattern(${pattern})`);
        topics.push(pattern);
      }
      if (topics.length > 0) {
        const { group, ...clientOptions } = this.options;
        const consumer = createPushConsumer({
          ...clientOptions,
          group,
          subscriptions: Object.fromEntries(topics.map((topic) => [topic, '*'])),
          handler: (message) => this.handleMessage(message),
          onHandlerError: (error, message) => this.reportFailure(error, message),
        });
        this.consumer = consumer;
        await consumer.start();
      }
      this._status$.next('connected');
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /** Stops receiving, waits for the handlers already running, and leaves the group. Idempotent. */
  async close(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.close();
    this._status$.next('disconnected');
  }

  /** Not supported: the transport has no native events (watch `status` instead). */
  on(): never {
    throw new Error('TxmqServer has no native events to listen to; watch its status instead');
  }

  /** The push consumer of `@txmq/broker/client` (once `listen` has run). */
  unwrap<T>(): T {
    if (this.consumer === undefined) throw new Error('TxmqServer is not listening; call listen() (app.listen / startAllMicroservices) first');
    return this.consumer as T;
  }

  /**
   * Runs the handler of `pattern` between the processing hooks and resolves when its result
   * settles: a promise resolves, an observable completes. Rejects when the handler fails or
   * there is none, so the message is not acknowledged.
   */
  override handleEvent(pattern: string, packet: ReadPacket, context: TxmqContext): Promise<void> {
    const handler = this.getHandlerByPattern(pattern);
    if (handler === null) return Promise.reject(new Error(`TxmqServer has no @EventPattern handler for topic ${pattern}`));
    return new Promise<void>((resolve, reject) => {
      // The processing hooks may not return done()'s promise: settle through resolve/reject,
      // and never let a rejection escape into the hook.
      this.runWithProcessingHooks(context, async (runEndHook) => {
        try {
          const result: unknown = await handler(packet.data, context);
          if (isObservable(result)) await lastValueFrom(result.pipe(finalize(runEndHook)), { defaultValue: undefined });
          else runEndHook();
          resolve();
        } catch (error) {
          runEndHook();
          reject(error);
        }
      });
    });
  }

  private handleMessage(message: ReceivedMessage): Promise<void> {
    return this.handleEvent(message.topic, { pattern: message.topic, data: decodeBody(message) }, new TxmqContext([message, this.options.group]));
  }

  private reportFailure(error: unknown, message: ReceivedMessage): void {
    this.logger.warn(
      `handler of topic ${message.topic} failed for message ${message.messageId} (delivery attempt ${message.deliveryAttempt}); ` +
        `not acknowledged, the broker redelivers it: ${describeError(error)}`,
    );
  }
}
