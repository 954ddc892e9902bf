import { sql, type Kysely } from 'kysely';
import { ASYNC_COMMIT } from './async-commit.js';

/** A published row to mark sent. */
export interface Success {
  readonly id: string;
  readonly token: string;
  readonly transportMessageId: string | undefined;
}

/** A row whose publish failed: retried after `delayMs`, or parked. */
export interface Failure {
  readonly id: string;
  readonly token: string;
  readonly error: string;
  /** The transport's name for the failure, if known (column `last_error_code`). */
  readonly code: string | undefined;
  /** The broker's numeric status, if it answered with one (column `last_error_status`). */
  readonly status: number | undefined;
  readonly park: boolean;
  readonly delayMs: number;
  /** `false` when the transport was unreachable: the claim is not counted towards parking. */
  readonly counted: boolean;
}

/** A claimed row that was not attempted (an earlier row of its group failed); its claim is undone. */
export interface Release {
  readonly id: string;
  readonly token: string;
}

/** A batch of outcomes. */
export interface Outcome {
  readonly successes: readonly Success[];
  readonly failures: readonly Failure[];
  readonly releases: readonly Release[];
}

/**
 * Applies a batch of outcomes. Every update is fenced by the claim token: if the lease expired
 * and another relay re-claimed the row, this relay's late outcome is ignored (the other relay
 * owns the row now; at worst the message is published twice, never lost).
 */
export async function completeRows(
  db: Kysely<any>,
  schema: string,
  retainSent: boolean,
  outcome: Outcome,
): Promise<void> {
  const outbox = sql.table(`${schema}.outbox`);
  const { successes, failures, releases } = outcome;
  if (successes.length > 0) {
    const ids = successes.map((s) => s.id);
    const tokens = successes.map((s) => s.token);
    if (retainSent) {
      const transportIds = successes.map((s) => s.transportMessageId ?? null);
      await sql`
        with ${ASYNC_COMMIT}
        update ${outbox} o
        set status = 'sent', sent_at = now(), locked_until = null, broker_message_id = d.tid,
            last_error = null, last_error_code = null, last_error_status = null
        from unnest(${ids}::bigint[], ${tokens}::uuid[], ${transportIds}::text[]) as d(id, token, tid), async_commit
        where o.id = d.id and o.claim_token = d.token and o.status = 'pending'`.execute(db);
    } else {
      await sql`
        with ${ASYNC_COMMIT}
        delete from ${outbox} o
        using unnest(${ids}::bigint[], ${tokens}::uuid[]) as d(id, token), async_commit
        where o.id = d.id and o.claim_token = d.token and o.status = 'pending'`.execute(db);
    }
  }
  if (failures.length > 0) {
    await sql`
      with ${ASYNC_COMMIT}
      update ${outbox} o
      set locked_until = null,
          last_error = d.error,
          last_error_code = d.code,
          last_error_status = d.error_status,
          status = case when d.park then 'parked' else 'pending' end,
          available_at = now() + d.delay_ms * interval '1 millisecond',
          attempts = case when d.counted then o.attempts else greatest(0, o.attempts - 1) end
      from unnest(${failures.map((f) => f.id)}::bigint[], ${failures.map((f) => f.token)}::uuid[],
                  ${failures.map((f) => f.error)}::text[], ${failures.map((f) => f.code ?? null)}::text[],
                  ${failures.map((f) => f.status ?? null)}::integer[], ${failures.map((f) => f.park)}::boolean[],
                  ${failures.map((f) => f.delayMs)}::integer[], ${failures.map((f) => f.counted)}::boolean[])
           as d(id, token, error, code, error_status, park, delay_ms, counted), async_commit
      where o.id = d.id and o.claim_token = d.token and o.status = 'pending'`.execute(db);
  }
  if (releases.length > 0) {
    await sql`
      with ${ASYNC_COMMIT}
      update ${outbox} o
      set locked_until = null, attempts = greatest(0, o.attempts - 1)
      from unnest(${releases.map((r) => r.id)}::bigint[], ${releases.map((r) => r.token)}::uuid[]) as d(id, token), async_commit
      where o.id = d.id and o.claim_token = d.token and o.status = 'pending'`.execute(db);
  }
}
