import type pg from 'pg';

/** What the services' databases hold after a run. */
export interface SystemState {
  /** email → user id. */
  readonly users: ReadonlyMap<string, string>;
  /** user id → the points of each welcome grant (one entry per row). */
  readonly points: ReadonlyMap<string, readonly number[]>;
  /** user id → how many welcome coupons. */
  readonly coupons: ReadonlyMap<string, number>;
  /** Messages each consumer service's inbox applied (they consume only `user-registered`). */
  readonly applied: { readonly points: number; readonly coupons: number };
}

/** Reads the account, points and coupons schemas (and the consumers' inboxes) of a Postgres system. */
export async function readState(db: pg.Pool): Promise<SystemState> {
  const users = await db.query<{ id: string; email: string }>('select id, email from account.users');
  const points = await db.query<{ user_id: string; points: number }>(`select user_id, points from points.point_grants where reason = 'welcome'`);
  const coupons = await db.query<{ user_id: string }>(`select user_id from coupons.coupons where kind = 'welcome'`);
  const applied = async (schema: string) => Number((await db.query<{ count: string }>(`select count(*) as count from ${schema}.inbox`)).rows[0]!.count);
  const pointsByUser = new Map<string, number[]>();
  for (const row of points.rows) pointsByUser.set(row.user_id, [...(pointsByUser.get(row.user_id) ?? []), row.points]);
  const couponsByUser = new Map<string, number>();
  for (const row of coupons.rows) couponsByUser.set(row.user_id, (couponsByUser.get(row.user_id) ?? 0) + 1);
  return {
    users: new Map(users.rows.map((row) => [row.email, row.id])),
    points: pointsByUser,
    coupons: couponsByUser,
    applied: { points: await applied('points_txmq'), coupons: await applied('coupons_txmq') },
  };
}

/**
 * Whether the rewards caught up: every user has welcome points and a coupon, and each consumer's
 * inbox holds at least one message per user. (Whether anything is doubled is the test's to check.)
 */
export function settled(state: SystemState): boolean {
  const ids = [...state.users.values()];
  return (
    ids.every((id) => state.points.has(id) && state.coupons.has(id)) &&
    state.applied.points >= ids.length &&
    state.applied.coupons >= ids.length
  );
}
