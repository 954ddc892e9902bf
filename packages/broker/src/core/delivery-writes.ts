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

/** Collects the durable writes of one delivery operation (receive, ack, dead-lettering...). */
export class DeliveryWrites {
  readonly #entities: EntityWrite[] = [];
  readonly #dirty = new Set<LeaseRange>();

  get empty(): boolean {
    return this.#entities.length === 0 && this.#dirty.size === 0;
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
    this.#entities.push(pendingWrite(sub, lease));
  }

  /** `lease` is settled (acknowledged, skipped, dead-lettered, dropped): nothing of it stays. */
  forget(sub: Subscription, lease: Lease): void {
    if (lease.range) this.#leaveRange(lease);
    else this.#entities.push(pendingDelete(sub, lease.offset));
  }

  /** The subscription's cursor moved. */
  cursor(sub: Subscription): void {
    this.#entities.push(cursorWrite(sub));
  }

  /** Any other entity write. */
  push(write: EntityWrite): void {
    this.#entities.push(write);
  }

  /** Every write, with each range touched written once as it is now. */
  done(): EntityWrite[] {
    const writes = [...this.#entities];
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

export function cursorWrite(sub: Subscription): EntityWrite {
  return { kind: 'cursor', key: sub.key, value: { consumer: sub.consumer, topic: sub.topic, nextOffset: sub.nextOffset } };
}

function rangeWrite(range: LeaseRange): EntityWrite {
  return range.offsets.size === 0
    ? { kind: 'leased', key: range.key }
    : { kind: 'leased', key: range.key, value: { consumer: range.consumer, topic: range.topic, first: range.first, offsets: [...range.offsets] } };
}

function pendingWrite(sub: Subscription, lease: Lease): EntityWrite {
  return { kind: 'pending', key: `${sub.key}\u0000${lease.offset}`, value: { consumer: sub.consumer, topic: sub.topic, offset: lease.offset, attempts: lease.attempts } };
}

function pendingDelete(sub: Subscription, offset: number): EntityWrite {
  return { kind: 'pending', key: `${sub.key}\u0000${offset}` };
}
