import { Injectable } from '@nestjs/common';
import type { ReceivedMessage } from '@txmq/broker/client';
import { OnMessage, TransactionHost } from '@txmq/nest';
import { decodeBody } from '@txmq/outbox';
import type { UserRegistered } from './accounts.service.js';
import type { Database } from './database.js';

@Injectable()
export class PointsConsumer {
  constructor(private readonly host: TransactionHost<Database>) {}

  /** Runs once per registration, in the transaction that records the message as applied. */
  @OnMessage({ topic: 'user-registered', group: 'points' })
  async grantWelcomePoints(message: ReceivedMessage): Promise<void> {
    const event = decodeBody(message) as UserRegistered;
    await this.host.tx.insertInto('points').values({ account_id: event.accountId, amount: 100 }).execute();
  }
}
