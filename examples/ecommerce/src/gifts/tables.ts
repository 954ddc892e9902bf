import type { Generated } from 'kysely';

/** The gifts service's tables. */
export interface GiftsTables {
  /** One welcome gift per user: the user is the key. */
  welcome_gifts: {
    user_id: string;
    gift: string;
    /** The registration the gift is for (ISO 8601), as the message said. */
    registered_at: string;
    sent_at: Generated<Date>;
  };
}

/** DDL of {@link GiftsTables}. */
export const GIFTS_DDL = [
  `create table if not exists $schema.welcome_gifts (
     user_id text primary key,
     gift text not null,
     registered_at text not null,
     sent_at timestamptz not null default now()
   )`,
];
