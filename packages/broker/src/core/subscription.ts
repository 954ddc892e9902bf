import type { LeaseRange } from './delivery-writes.js';

/** One handed-out (or ready-to-hand-out) message of a subscription that is not acknowledged yet. */
export interface Lease {
  readonly offset: number;
  /** Deliveries so far; the next delivery is attempt `attempts + 1`. */
  attempts: number;
  /** Until when the message stays invisible; 0 means ready now. */
  visibleAt: number;
  /** Identifies the current delivery; receipt handles of earlier deliveries stop working. */
  seq: number;
  /** Client that holds it under auto-renew (push consumers). */
  holder?: string | undefined;
  autoRenew: boolean;
  /** When the current delivery started (auto-renew stops after a cap). */
  leasedAt: number;
  attemptId?: string | undefined;
  messageGroup?: string | undefined;
  /** The message's id, once known (for the events reported about it). */
  messageId?: string | undefined;
  /** The range that stores this lease while it is a first delivery (see delivery-writes.ts). */
  range?: LeaseRange | undefined;
}

/**
 * The delivery state of one consumer (a clustering group, or one broadcast instance) on one topic:
 * a cursor over the topic's log and the leases of messages read past the cursor but not acknowledged.
 * `leases` iterates in offset order: entries are only ever added from the cursor, in ascending order.
 */
export class Subscription {
  static #count = 0;
  /** Unique within the process; receipt handles name the subscription by it. */
  readonly id = ++Subscription.#count;
  readonly leases = new Map<number, Lease>();
  /**
   * No lease becomes visible before this (a lower bound), so a receive skips the leases until
   * then instead of looking at each. Whoever makes a lease visible sooner lowers it.
   */
  visibleFrom = 0;

  constructor(
    readonly consumer: string,
    readonly topic: string,
    public nextOffset: number,
  ) {}

  get key(): string {
    return subscriptionKey(this.consumer, this.topic);
  }

  /** Records that a lease may become visible as early as `at`. */
  mayBecomeVisible(at: number): void {
    if (at < this.visibleFrom) this.visibleFrom = at;
  }

  /** Message groups that must wait: something of theirs is in flight or backing off. */
  blockedGroups(now: number): Set<string> {
    const blocked = new Set<string>();
    for (const lease of this.leases.values()) {
      if (lease.messageGroup !== undefined && lease.visibleAt > now) blocked.add(lease.messageGroup);
    }
    return blocked;
  }

  /** Earliest time a lease becomes visible again, or undefined when none is waiting. */
  nextVisibleAt(now: number): number | undefined {
    let next: number | undefined;
    for (const lease of this.leases.values()) {
      if (lease.visibleAt > now && (next === undefined || lease.visibleAt < next)) next = lease.visibleAt;
    }
    return next;
  }
}

/** Map key of a (consumer, topic) subscription. */
export function subscriptionKey(consumer: string, topic: string): string {
  return `${consumer}\u0000${topic}`;
}
