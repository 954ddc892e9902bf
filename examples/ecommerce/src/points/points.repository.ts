import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { TransactionHost } from '@txmq/nest';
import type { GrantStats, PointsBalance } from '../shared/api.js';
import { grantStats } from '../shared/count-grants.js';
import { createTables } from '../shared/create-tables.js';
import type { ServiceDatabase } from '../shared/database.js';
import { SERVICE_DATABASE } from '../shared/tokens.js';
import { POINTS_DDL, type PointsTables } from './tables.js';

/** The point grants. Writes join the ambient transaction (a message handler's inbox transaction). */
@Injectable()
export class PointsRepository implements OnModuleInit {
  readonly #schema: string;

  constructor(
    private readonly host: TransactionHost<PointsTables>,
    @Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase,
  ) {
    this.#schema = database.appSchema;
  }

  async onModuleInit(): Promise<void> {
    await createTables(this.database.db, this.#schema, POINTS_DDL);
  }

  /** Grants `points` for `reason`; false (and nothing written) when that grant exists already. */
  async grant(userId: string, reason: string, points: number): Promise<boolean> {
    const result = await this.#db()
      .insertInto('point_grants')
      .values({ user_id: userId, reason, points })
      .onConflict((oc) => oc.columns(['user_id', 'reason']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async balanceOf(userId: string): Promise<PointsBalance> {
    const rows = await this.#db().selectFrom('point_grants').selectAll().where('user_id', '=', userId).orderBy('granted_at').execute();
    return {
      userId,
      balance: rows.reduce((sum, row) => sum + row.points, 0),
      grants: rows.map((row) => ({ reason: row.reason, points: row.points, grantedAt: new Date(row.granted_at).toISOString() })),
    };
  }

  /** The balance of each of `userIds` that has grants. */
  async balances(userIds: readonly string[]): Promise<Record<string, number>> {
    if (userIds.length === 0) return {};
    const rows = await this.#db()
      .selectFrom('point_grants')
      .select((eb) => ['user_id', eb.fn.sum<string>('points').as('balance')])
      .where('user_id', 'in', userIds)
      .groupBy('user_id')
      .execute();
    return Object.fromEntries(rows.map((row) => [row.user_id, Number(row.balance)]));
  }

  /** How many registrations got welcome points, and how many welcome grants there are. */
  async welcomeStats(): Promise<GrantStats> {
    const row = await this.#db()
      .selectFrom('point_grants')
      .select((eb) => [eb.fn.countAll<string>().as('grants'), eb.fn.count<string>('user_id').distinct().as('registrations')])
      .where('reason', '=', 'welcome')
      .executeTakeFirstOrThrow();
    return grantStats(row);
  }

  #db() {
    return this.host.tx.withSchema(this.#schema);
  }
}
