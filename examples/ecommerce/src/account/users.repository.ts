import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { TransactionHost } from '@txmq/nest';
import { createTables } from '../shared/create-tables.js';
import type { ServiceDatabase } from '../shared/database.js';
import type { UserView } from '../shared/api.js';
import { SERVICE_DATABASE } from '../shared/tokens.js';
import { ACCOUNT_DDL, type AccountTables } from './tables.js';

/** The users table. Every method writes and reads through the ambient transaction, if any. */
@Injectable()
export class UsersRepository implements OnModuleInit {
  readonly #schema: string;

  constructor(
    private readonly host: TransactionHost<AccountTables>,
    @Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase,
  ) {
    this.#schema = database.appSchema;
  }

  async onModuleInit(): Promise<void> {
    await createTables(this.database.db, this.#schema, ACCOUNT_DDL);
  }

  /** Inserts a user; `undefined` when the email is already registered (nothing is written). */
  async insert(user: { id: string; email: string; name: string }): Promise<UserView | undefined> {
    const row = await this.#db()
      .insertInto('users')
      .values(user)
      .onConflict((oc) => oc.column('email').doNothing())
      .returningAll()
      .executeTakeFirst();
    return row && toView(row);
  }

  async find(id: string): Promise<UserView | undefined> {
    const row = await this.#db().selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toView(row);
  }

  /** The latest `limit` registrations, newest first. */
  async latest(limit: number): Promise<UserView[]> {
    const rows = await this.#db().selectFrom('users').selectAll().orderBy('registered_at', 'desc').orderBy('id').limit(limit).execute();
    return rows.map(toView);
  }

  async count(): Promise<number> {
    const { count } = await this.#db().selectFrom('users').select((eb) => eb.fn.countAll<string>().as('count')).executeTakeFirstOrThrow();
    return Number(count);
  }

  #db() {
    return this.host.tx.withSchema(this.#schema);
  }
}

function toView(row: { id: string; email: string; name: string; registered_at: Date | string }): UserView {
  return { id: row.id, email: row.email, name: row.name, registeredAt: new Date(row.registered_at).toISOString() };
}
