import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { TransactionHost } from '@txmq/nest';
import type { Coupon, GrantStats } from '../shared/api.js';
import { grantStats } from '../shared/count-grants.js';
import { createTables } from '../shared/create-tables.js';
import type { ServiceDatabase } from '../shared/database.js';
import { SERVICE_DATABASE } from '../shared/tokens.js';
import { COUPONS_DDL, type CouponsTables } from './tables.js';

type CouponRow = { code: string; kind: string; expires_at: Date | string; granted_at: Date | string };

/** The coupons. Writes join the ambient transaction (a message handler's inbox transaction). */
@Injectable()
export class CouponsRepository implements OnModuleInit {
  readonly #schema: string;

  constructor(
    private readonly host: TransactionHost<CouponsTables>,
    @Inject(SERVICE_DATABASE) private readonly database: ServiceDatabase,
  ) {
    this.#schema = database.appSchema;
  }

  async onModuleInit(): Promise<void> {
    await createTables(this.database.db, this.#schema, COUPONS_DDL);
  }

  /** Grants a coupon of `kind`; false (and nothing written) when the user has one of that kind. */
  async grant(coupon: { code: string; userId: string; kind: string; expiresAt: Date }): Promise<boolean> {
    const result = await this.#db()
      .insertInto('coupons')
      .values({ code: coupon.code, user_id: coupon.userId, kind: coupon.kind, expires_at: coupon.expiresAt })
      .onConflict((oc) => oc.columns(['user_id', 'kind']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async couponsOf(userId: string): Promise<Coupon[]> {
    const rows = await this.#db().selectFrom('coupons').selectAll().where('user_id', '=', userId).orderBy('granted_at').execute();
    return rows.map(toCoupon);
  }

  /** The coupons of each of `userIds` that has some. */
  async couponsOfUsers(userIds: readonly string[]): Promise<Record<string, Coupon[]>> {
    if (userIds.length === 0) return {};
    const rows = await this.#db().selectFrom('coupons').selectAll().where('user_id', 'in', userIds).orderBy('granted_at').execute();
    const byUser: Record<string, Coupon[]> = {};
    for (const row of rows) (byUser[row.user_id] ??= []).push(toCoupon(row));
    return byUser;
  }

  /** How many registrations got a welcome coupon, and how many welcome coupons there are. */
  async welcomeStats(): Promise<GrantStats> {
    const row = await this.#db()
      .selectFrom('coupons')
      .select((eb) => [eb.fn.countAll<string>().as('grants'), eb.fn.count<string>('user_id').distinct().as('registrations')])
      .where('kind', '=', 'welcome')
      .executeTakeFirstOrThrow();
    return grantStats(row);
  }

  #db() {
    return this.host.tx.withSchema(this.#schema);
  }
}

function toCoupon(row: CouponRow): Coupon {
  return {
    code: row.code,
    kind: row.kind,
    expiresAt: new Date(row.expires_at).toISOString(),
    grantedAt: new Date(row.granted_at).toISOString(),
  };
}
