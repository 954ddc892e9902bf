import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { TxmqProducer as BrokerProducer } from '@txmq/broker/client';
import { encodeMessage, toBrokerMessage, type Outbox, type OutboxMessage } from '@txmq/outbox';
import { TXMQ_BROKER_PRODUCER, TXMQ_OUTBOX } from './tokens.js';
import { TransactionHost } from './transaction/transaction-host.js';

/** What {@link TxmqProducer.send} reports. */
export interface TxmqSendResult {
  /** The message id consumers see as the `txmq-message-id` property (the inbox dedups on it). */
  readonly messageId: string;
  /**
   * `outbox`: written in the active transaction, published by a relay after it commits.
   * `broker`: published directly (no transaction was active).
   */
  readonly via: 'outbox' | 'broker';
}

/**
 * Sends messages with the outbox's message shape (`{ topic, body, tag?, keys?, messageGroup?,
 * deliverAt?, headers? }`). Inside a transaction of the module's `TransactionHost` (a
 * `@Transactional()` method, `withTransaction`) the message is written to the outbox in that
 * transaction, so it is published if and only if the transaction commits. Outside one it is
 * published to the broker at once (the producer connects on the first such send).
 */
@Injectable()
export class TxmqProducer {
  constructor(
    @Inject(TransactionHost) private readonly host: TransactionHost,
    @Inject(TXMQ_OUTBOX) private readonly outbox: Outbox,
    @Inject(TXMQ_BROKER_PRODUCER) private readonly producer: BrokerProducer,
  ) {}

  /**
   * Sends `message`; resolves once it is written (in the transaction) or accepted by the broker.
   * @throws InvalidMessageError (of `@txmq/outbox`) naming the bad field, before anything is sent.
   */
  async send(message: OutboxMessage): Promise<TxmqSendResult> {
    if (this.host.isTransactionActive()) {
      const { messageId } = await this.outbox.send(this.host.tx, message);
      return { messageId, via: 'outbox' };
    }
    const encoded = encodeMessage(message, 'message');
    const messageId = randomUUID();
    const outgoing = toBrokerMessage({ ...encoded, id: messageId, messageId, createdAt: new Date(), attempt: 1 });
    await this.producer.send(encoded.deliverAt === undefined ? outgoing : { ...outgoing, deliverAt: encoded.deliverAt });
    return { messageId, via: 'broker' };
  }
}
