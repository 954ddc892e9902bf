import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { TransactionHost } from '@txmq/nest';
import type { GrantStats } from '../shared/api.js';
import { grantStats } from '../shared/count-grants.js';
import { createTables } from '../shared/create-tables.js';
import type { ServiceDatabase } from '../shared/database.js';
import { SERVICE_DATABASE } from '../shared/tokens.js';
import { GIFTS_DDL, type GiftsTables } from './tables.js';

/** A welcome gift as `GET /gifts/:userId` shows it. */
export interface WelcomeGift {
  readonly userId: string;
  readonly gift: string;
  readonly registeredAt: string;
  readonly sentAt: string;
}

/** The welcome gifts. Writes join the ambient transaction (a message handler's inbox transaction). */
@Injectable()
export class GiftsRepository implements OnModuleInit {
  readonly #schema: string;

  constructor(
    private readonly host: TransactionHost<GiftsTables>,
    @Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase,
  ) {
    this.#schema = database.appSchema;
  }

  async onModuleInit(): Promise<void> {
    await createTables(this.database.db, this.#schema, GIFTS_DDL);
  }

  /** Records the gift; false (and nothing written) when the user has one already. */
  async send(userId: string, gift: string, registeredAt: string): Promise<boolean> {
    const result = await this.#db()
      .insertInto('welcome_gifts')
      .values({ user_id: userId, gift, registered_at: registeredAt })
      .onConflict((oc) => oc.column('user_id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async giftOf(userId: string): Promise<WelcomeGift | undefined> {
    const row = await this.#db().selectFrom('welcome_gifts').selectAll().where('user_id', '=', userId).executeTakeFirst();
    return row && { userId: row.user_id, gift: row.gift, registeredAt: row.registered_at, sentAt: new Date(row.sent_at).toISOString() };
  }

  async stats(): Promise<GrantStats> {
    const row = await this.#db()
      .selectFrom('welcome_gifts')
      .select((eb) => [eb.fn.countAll<string>().as('grants'), eb.fn.count<string>('user_id').distinct().as('registrations')])
      .executeTakeFirstOrThrow();
    return grantStats(row);
  }

  #db() {
    return this.host.tx.withSchema(this.#schema);
  }
}
