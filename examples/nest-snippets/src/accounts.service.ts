import { Injectable } from '@nestjs/common';
import { TransactionHost, Transactional, TxmqProducer } from '@txmq/nest';
import type { Database } from './database.js';

/** The event a registration publishes (a type literal, so it is a JSON body as it is). */
export type UserRegistered = { accountId: number; email: string };

@Injectable()
export class AccountsService {
  constructor(
    private readonly host: TransactionHost<Database>,
    private readonly producer: TxmqProducer,
  ) {}

  /** Creates the account and publishes `user-registered`: both happen, or neither. */
  @Transactional()
  async register(email: string): Promise<number> {
    const { id } = await this.host.tx.insertInto('accounts').values({ email }).returning('id').executeTakeFirstOrThrow();
    const event: UserRegistered = { accountId: id, email };
    await this.producer.send({ topic: 'user-registered', keys: [email], body: event });
    return id;
  }
}
