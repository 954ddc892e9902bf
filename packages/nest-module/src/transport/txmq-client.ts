import { randomUUID } from 'node:crypto';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { createProducer, type ProducerOptions, type TxmqProducer } from '@txmq/broker/client';
import { encodeMessage, toBrokerMessage } from '@txmq/outbox';
import { throwError, type Observable } from 'rxjs';
import { RequestResponseUnsupportedError } from './request-response-unsupported.js';

/**
 * Options of {@link TxmqClient}: those of `createProducer` of `@txmq/broker/client`, with
 * `credentials`, `sslEnabled` and `tlsRootCertFile` for a broker with users and TLS.
 */
export type TxmqClientOptions = Omit<ProducerOptions, 'checker'>;

/** What `TxmqClient.emit` emits once the broker stored the event. */
export interface TxmqEmitResult {
  /** The id consumers see as the `txmq-message-id` property. */
  readonly messageId: string;
}

/**
 * A `ClientProxy` publishing to a txmq broker (or a RocketMQ 5 proxy): `emit(topic, data)` sends
 * one message to `topic` and completes once the broker stored it. `data` is encoded as
 * `TxmqProducer.send` encodes a body (a JSON value as JSON, a string as text, a Buffer as bytes),
 * so `TxmqServer` hands it to `@Payload()` decoded. Packet metadata set by a dispatch hook travels
 * as message properties. Use as `new TxmqClient({ endpoints })` or
 * `ClientsModule.register([{ name, customClass: TxmqClient, options: { endpoints } }])`.
 * The producer connects on the first `emit` (or `connect()`); `status` emits `'connected'` and
 * `'disconnected'`. `send` is not supported.
 */
export class TxmqClient extends ClientProxy {
  private producer: TxmqProducer | undefined;

  /** Checks the options (throwing `ConfigError` naming a bad one); no I/O. */
  constructor(private readonly options: TxmqClientOptions) {
    super();
    this.producer = createProducer(options);
  }

  /** Connects now (it also happens on the first `emit`); rejects with `BrokerUnreachableError`. */
  async connect(): Promise<void> {
    await this.current().start();
    this._status$.next('connected');
  }

  /** Disconnects; a later `emit` connects again. Idempotent. */
  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.close();
    this._status$.next('disconnected');
  }

  /** The producer of `@txmq/broker/client`. */
  unwrap<T>(): T {
    return this.current() as T;
  }

  /** Fails at once: a message broker transport has no request-response. */
  override send<TResult = unknown>(_pattern: unknown, _data: unknown): Observable<TResult> {
    return throwError(() => new RequestResponseUnsupportedError('TxmqClient.send'));
  }

  protected publish(_packet: ReadPacket, _callback: (packet: WritePacket) => void): () => void {
    throw new RequestResponseUnsupportedError('TxmqClient.send');
  }

  protected async dispatchEvent<T = TxmqEmitResult>(packet: ReadPacket): Promise<T> {
    const topic = this.normalizePattern(packet.pattern);
    const encoded = encodeMessage({ topic, body: packet.data, ...(packet.metadata !== undefined && { headers: packet.metadata }) }, 'event');
    const messageId = randomUUID();
    await this.current().send(toBrokerMessage({ ...encoded, id: messageId, messageId, createdAt: new Date(), attempt: 1 }));
    return { messageId } as T;
  }

  private current(): TxmqProducer {
    this.producer ??= createProducer(this.options);
    return this.producer;
  }
}
