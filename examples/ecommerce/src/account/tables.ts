import type { Generated } from 'kysely';

/** The account service's tables. */
export interface AccountTables {
  users: {
    id: string;
    /** Unique: the second registration of an address is refused. */
    email: string;
    name: string;
    registered_at: Generated<Date>;
  };
}

/** DDL of {@link AccountTables}. */
export const ACCOUNT_DDL = [
  `create table if not exists $schema.users (
     id text primary key,
     email text not null unique,
     name text not null,
     registered_at timestamptz not null default now()
   )`,
  `create index if not exists users_registered_at on $schema.users (registered_at desc)`,
];
