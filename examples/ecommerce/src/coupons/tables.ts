import type { Generated } from 'kysely';

/** The coupons service's tables. */
export interface CouponsTables {
  coupons: {
    code: string;
    user_id: string;
    /** `welcome` for the registration coupon. With `user_id` unique: one coupon of a kind per user. */
    kind: string;
    expires_at: Date;
    granted_at: Generated<Date>;
  };
}

/** DDL of {@link CouponsTables}. */
export const COUPONS_DDL = [
  `create table if not exists $schema.coupons (
     code text primary key,
     user_id text not null,
     kind text not null,
     expires_at timestamptz not null,
     granted_at timestamptz not null default now(),
     unique (user_id, kind)
   )`,
];
