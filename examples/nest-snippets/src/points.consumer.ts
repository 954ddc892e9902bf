import { Injectable } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { OnMessage, TransactionHost } from '@txmq/nest';
import type { UserRegistered } from './accounts.service.js';
import type { Database } from './database.js';

@Injectable()
export class PointsConsumer {
  constructor(private readonly host: TransactionHost<Database>) {}

  /** Runs once per registration, in the transaction that records the message as applied. */
  @OnMessage({ topic: 'user-registered', group: 'points' })
  async grantWelcomePoints(@Payload() event: UserRegistered): Promise<void> {
    await this.host.tx.insertInto('points').values({ account_id: event.accountId, amount: 100 }).execute();
  }
}
