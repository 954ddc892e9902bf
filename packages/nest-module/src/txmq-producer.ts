import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { TxmqProducer as BrokerProducer } from '@txmq/broker/client';
import { encodeMessage, toBrokerMessage, type Outbox, type OutboxMessage, type TransactionalSender } from '@txmq/outbox';
import type { Transaction } from 'kysely';
import { TXMQ_BROKER_PRODUCER, TXMQ_OUTBOX, TXMQ_TRANSACTIONAL_SENDER } from './tokens.js';
import { TransactionHost } from './transaction/transaction-host.js';

/** What {@link TxmqProducer.send} reports. */
export interface TxmqSendResult {
  /** The message id consumers see as the `txmq-message-id` property (the inbox dedups on it). */
  readonly messageId: string;
  /**
   * `outbox`: written in the active transaction, published by a relay after it commits.
   * `half-message`: sent as a half message in the active transaction (`delivery: 'half-message'`),
   * committed after it commits.
   * `broker`: published directly (no transaction was active).
   */
  readonly via: 'outbox' | 'half-message' | 'broker';
}

/**
 * Sends messages with the outbox's message shape (`{ topic, body, tag?, keys?, messageGroup?,
 * deliverAt?, headers? }`). Inside a transaction of the module's `TransactionHost` (a
 * `@Transactional()` method, `withTransaction`, an `@OnMessage` handler) the message is written
 * to the outbox in that transaction, or with `delivery: 'half-message'` sent as a half message
 * whose commit is recorded in it, so it is delivered if and only if the transaction commits.
 * Outside one it is published to the broker at once (the producer connects on the first such send).
 */
@Injectable()
export class TxmqProducer {
  constructor(
    @Inject(TransactionHost) private readonly host: TransactionHost,
    @Inject(TXMQ_OUTBOX) private readonly outbox: Outbox,
    @Inject(TXMQ_BROKER_PRODUCER) private readonly producer: BrokerProducer,
    @Inject(TXMQ_TRANSACTIONAL_SENDER) private readonly sender: TransactionalSender | null,
  ) {}

  /**
   * Sends `message`; resolves once it is written (in the transaction), held by the broker as a
   * half message, or accepted by the broker.
   * @throws InvalidMessageError (of `@txmq/outbox`) naming the bad field, before anything is sent
   *   (a half message may have neither `messageGroup` nor `deliverAt`).
   * @throws PublishError (of `@txmq/outbox`) when a half message could not be sent.
   * @throws TransactionFencedError (of `@txmq/outbox`) when the broker's check-back already
   *   answered ROLLBACK for the half message: the transaction can no longer commit it.
   */
  async send(message: OutboxMessage): Promise<TxmqSendResult> {
    if (this.host.isTransactionActive()) {
      if (this.sender !== null) return this.#sendHalf(this.sender, message);
      const { messageId } = await this.outbox.send(this.host.tx, message);
      return { messageId, via: 'outbox' };
    }
    const encoded = encodeMessage(message, 'message');
    const messageId = randomUUID();
    const outgoing = toBrokerMessage({ ...encoded, id: messageId, messageId, createdAt: new Date(), attempt: 1 });
    await this.producer.send(encoded.deliverAt === undefined ? outgoing : { ...outgoing, deliverAt: encoded.deliverAt });
    return { messageId, via: 'broker' };
  }

  async #sendHalf(sender: TransactionalSender, message: OutboxMessage): Promise<TxmqSendResult> {
    const pending = await sender.sendInTransaction(this.host.tx as Transaction<any>, message);
    // Neither runs when the COMMIT itself fails: the check-back then reads the outcome from the log.
    this.host.afterCommit(() => pending.commit());
    this.host.afterRollback(() => pending.rollback());
    return { messageId: pending.messageId, via: 'half-message' };
  }
}
