import type { Kysely } from 'kysely';
import { readPending, type PendingSummary } from '../../outbox/pending.js';

/**
 * The outbox's pending figures, read at most once per `maxAgeMs`: readers within that time, and
 * readers while a read is under way, share one query. A failed read is not kept.
 */
export class PendingCache {
  readonly #db: Kysely<any>;
  readonly #schema: string;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #latest: { readonly at: number; readonly value: Promise<PendingSummary> } | undefined;

  constructor(options: { db: Kysely<any>; schema: string; maxAgeMs: number; now?: () => number }) {
    this.#db = options.db;
    this.#schema = options.schema;
    this.#maxAgeMs = options.maxAgeMs;
    this.#now = options.now ?? Date.now;
  }

  read(): Promise<PendingSummary> {
    const now = this.#now();
    const latest = this.#latest;
    if (latest !== undefined && now - latest.at <= this.#maxAgeMs) return latest.value;
    const value = readPending(this.#db, this.#schema);
    const entry = { at: now, value };
    this.#latest = entry;
    value.catch(() => {
      if (this.#latest === entry) this.#latest = undefined;
    });
    return value;
  }
}
