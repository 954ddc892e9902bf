import type { EntityWrite } from '../store/store.js';
import type { Lease, Subscription } from './subscription.js';

/**
 * Offsets one receive handed out for the first time (each at attempt 1), stored as ONE `leased`
 * entity instead of one `pending` entity per message. An offset leaves its range when it is
 * acknowledged (or otherwise settled) or when its attempt count changes; from then on a `pending`
 * entity of its own records it. The range's entity is rewritten with the offsets left, and
 * deleted when none are.
 *
 * Invariant: on disk an offset is in at most one range or one pending entity, never both, because
 * the range rewrite and the pending write of a moving offset travel in the same commit.
 */
export class LeaseRange {
  readonly offsets = new Set<number>();
  readonly key: string;
  constructor(
    sub: Subscription,
    readonly first: number,
  ) {
    this.key = `${sub.key}\u0000${first}`;
    this.consumer = sub.consumer;
    this.topic = sub.topic;
  }
  readonly consumer: string;
  readonly topic: string;
}

/**
 * Collects what one delivery operation (receive, ack, dead-lettering...) changed: which cursors,
 * ranges and per-lease attempt counts. {@link done} writes each as it is in memory at that time, so
 * the writes of a commit that failed can be carried into a later commit ({@link absorb}) and still
 * write the current state, never a stale one.
 */
export class DeliveryWrites {
  readonly #cursors = new Set<Subscription>();
  readonly #dirty = new Set<LeaseRange>();
  readonly #pending = new Map<string, { readonly sub: Subscription; readonly offset: number }>();

  get empty(): boolean {
    return this.#cursors.size === 0 && this.#dirty.size === 0 && this.#pending.size === 0;
  }

  /** A new lease handed out from the cursor at attempt 1: it joins `range` (stored once, by {@link done}). */
  fresh(range: LeaseRange, lease: Lease): void {
    range.offsets.add(lease.offset);
    lease.range = range;
    this.#dirty.add(range);
  }

  /** `lease`'s attempt count (or its existence) must be recorded on its own. */
  attempts(sub: Subscription, lease: Lease): void {
    this.#leaveRange(lease);
    this.#pending.set(pendingKey(sub, lease.offset), { sub, offset: lease.offset });
  }

  /** `lease` is settled (acknowledged, skipped, dead-lettered, dropped) and gone from `sub.leases`: nothing of it stays. */
  forget(sub: Subscription, lease: Lease): void {
    if (lease.range) this.#leaveRange(lease);
    else this.#pending.set(pendingKey(sub, lease.offset), { sub, offset: lease.offset });
  }

  /** The subscription's cursor moved (or, once the subscription is no longer live, is to be deleted). */
  cursor(sub: Subscription): void {
    this.#cursors.add(sub);
  }

  /** Takes over everything `other` recorded (the writes of a failed commit, to be written again). */
  absorb(other: DeliveryWrites): void {
    for (const sub of other.#cursors) this.#cursors.add(sub);
    for (const range of other.#dirty) this.#dirty.add(range);
    for (const [key, ref] of other.#pending) this.#pending.set(key, ref);
  }

  /** Every write, each as its state is now; `live` tells whether a subscription still exists. */
  done(live: (sub: Subscription) => boolean = () => true): EntityWrite[] {
    const writes: EntityWrite[] = [];
    for (const sub of this.#cursors) writes.push(live(sub) ? cursorWrite(sub) : { kind: 'cursor', key: sub.key });
    for (const [key, { sub, offset }] of this.#pending) {
      const lease = live(sub) ? sub.leases.get(offset) : undefined;
      writes.push(lease && !lease.range ? pendingWrite(key, sub, lease) : { kind: 'pending', key });
    }
    for (const range of this.#dirty) writes.push(rangeWrite(range));
    return writes;
  }

  #leaveRange(lease: Lease): void {
    const range = lease.range;
    if (!range) return;
    range.offsets.delete(lease.offset);
    lease.range = undefined;
    this.#dirty.add(range);
  }
}

/**
 * The writes that durably drop every lease `sub` holds and put its cursor at `nextOffset`, read off
 * its state now without changing it (an operator's reset, applied in memory once they are durable).
 */
export function resetWrites(sub: Subscription, nextOffset: number): EntityWrite[] {
  const writes: EntityWrite[] = [{ kind: 'cursor', key: sub.key, value: { consumer: sub.consumer, topic: sub.topic, nextOffset } }];
  const ranges = new Set<LeaseRange>();
  for (const lease of sub.leases.values()) {
    if (lease.range) ranges.add(lease.range);
    else writes.push({ kind: 'pending', key: pendingKey(sub, lease.offset) });
  }
  for (const range of ranges) writes.push({ kind: 'leased', key: range.key });
  return writes;
}

export function cursorWrite(sub: Subscription): EntityWrite {
  return { kind: 'cursor', key: sub.key, value: { consumer: sub.consumer, topic: sub.topic, nextOffset: sub.nextOffset } };
}

function rangeWrite(range: LeaseRange): EntityWrite {
  return range.offsets.size === 0
    ? { kind: 'leased', key: range.key }
    : { kind: 'leased', key: range.key, value: { consumer: range.consumer, topic: range.topic, first: range.first, offsets: [...range.offsets] } };
}

function pendingKey(sub: Subscription, offset: number): string {
  return `${sub.key}\u0000${offset}`;
}

function pendingWrite(key: string, sub: Subscription, lease: Lease): EntityWrite {
  return { kind: 'pending', key, value: { consumer: sub.consumer, topic: sub.topic, offset: lease.offset, attempts: lease.attempts } };
}
