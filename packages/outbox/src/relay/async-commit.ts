import { sql } from 'kysely';

/**
 * A CTE named `async_commit` that turns `synchronous_commit` off for the transaction of the one
 * statement that names it in its FROM / USING list. The relay's claims and outcomes use it, so
 * they do not wait for a WAL flush (which waits behind every business commit's flush under load).
 *
 * Invariant (no loss): only the relay's own bookkeeping is written this way. If Postgres itself
 * crashes, the last few such commits may be lost: a lost claim frees its rows early and a lost
 * outcome leaves a published row pending, so either way a row is published again (a duplicate,
 * which consumers dedupe), never dropped. A row's content is always written by the caller's own
 * (synchronous) transaction.
 */
export const ASYNC_COMMIT = sql`async_commit as (select set_config('synchronous_commit', 'off', true))`;
