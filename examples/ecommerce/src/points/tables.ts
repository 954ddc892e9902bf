import type { Generated } from 'kysely';

/** The points service's tables. */
export interface PointsTables {
  /** A user's balance is the sum of their grants. */
  point_grants: {
    user_id: string;
    /** Why: `welcome` for the registration grant. With `user_id` the key: one grant per reason. */
    reason: string;
    points: number;
    granted_at: Generated<Date>;
  };
}

/** DDL of {@link PointsTables}. */
export const POINTS_DDL = [
  `create table if not exists $schema.point_grants (
     user_id text not null,
     reason text not null,
     points integer not null,
     granted_at timestamptz not null default now(),
     primary key (user_id, reason)
   )`,
];
