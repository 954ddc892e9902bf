import type { Logger } from 'pino';
import { InvalidRequestError } from '../errors.js';
import type { EntityWrite, Store } from '../store/store.js';
import { retryDelayMs } from './backoff.js';
import { groupOf } from './consumer.js';
import { deadLetterDraft } from './dead-letter.js';
import { DeliveryWrites, LeaseRange, resetWrites } from './delivery-writes.js';
import type { MessageFilter } from './filter/index.js';
import { decodeReceiptHandle, encodeReceiptHandle } from './receipt-handle.js';
import type { Registry } from './registry.js';
import { Subscription, subscriptionKey, type Lease } from './subscription.js';
import type { TopicLogs } from './topic-log.js';
import type { MessageDraft, MessageRecord } from '../store/records.js';
import type { GroupSettings } from './types.js';
import type { MessageEvents } from './trace/message-events.js';
import type { Mutable } from './mutable.js';
import type { MessageEvent } from './views/index.js';
import { deadLetterTopic } from '../rules/names.js';

/** Invisibility of a message handed to a push consumer (auto-renew); renewed while the client lives. */
export const AUTO_RENEW_INVISIBLE_MS = 60_000;
/** Renew an auto-renew lease when it has less than this left. */
const RENEW_AHEAD_MS = 20_000;
/** Stop renewing a delivery after this long (RocketMQ: 3 h); it then times out and is retried. */
const MAX_RENEW_TOTAL_MS = 3 * 3_600_000;
/** Longest invisible duration a consumer may ask for (RocketMQ: 12 h). */
export const MAX_INVISIBLE_MS = 12 * 3_600_000;
/** Attempt ids remembered for a retake; an older one's leases are simply redelivered when they expire. */
const MAX_REMEMBERED_ATTEMPTS = 4096;
/** The note of the `redelivered` event of a delivery taken back before it reached its client. */
const RELEASED_NOTE = 'the receive ended before the message reached the client';
/** Messages examined per receive attempt past the cursor, to bound the work of one call. */
const SCAN_LIMIT = 4096;

/** What a consumer asks for in one receive. */
export interface ReceiveRequest {
  readonly group: GroupSettings;
  /** Whose subscription it is: the group, or `group@clientId` for a broadcast instance (see consumer.ts). */
  readonly consumer: string;
  readonly topic: string;
  readonly filter: MessageFilter;
  readonly batchSize: number;
  readonly invisibleMs: number;
  readonly autoRenew: boolean;
  readonly clientId: string;
  readonly attemptId?: string | undefined;
  /** How long to wait for a message when none is ready (long polling). */
  readonly waitMs: number;
  readonly signal?: AbortSignal | undefined;
}

/** The outcome of one acknowledgement of {@link Deliveries.ackBatch}. */
export type AckResult = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

/** One message handed to a consumer. */
export interface Delivery {
  readonly message: MessageRecord;
  readonly attempt: number;
  readonly receiptHandle: string;
}

interface Waiter {
  readonly topic: string;
  tryTake(): void;
}

/** Options of {@link Deliveries}. */
export interface DeliveriesOptions {
  /** The clock invisible times and retry backoff are measured on (default `Date.now`). */
  readonly now?: () => number;
  /** Where deliveries, acknowledgements, redeliveries and dead-letterings are reported. */
  readonly events?: MessageEvents;
}

/**
 * Hands messages to consumers under the pop model: each delivery hides the message from the rest
 * of its consumer group until it is acknowledged or its invisible time passes, then it is delivered
 * again with the next attempt number, until the group's max attempts move it to `%DLQ%<group>`.
 */
export class Deliveries {
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #byId = new Map<number, Subscription>();
  readonly #waiters = new Set<Waiter>();
  readonly #now: () => number;
  readonly #events: MessageEvents | undefined;
  #seq: number;
  /**
   * The leases handed out per (subscription, attempt id), oldest attempt first. Clients send an
   * attempt id with every poll, so a retake looks up only the ids that got leases, not every lease.
   */
  readonly #byAttempt = new Map<string, Lease[]>();
  /** What failed commits changed: written again (as it is then) by the next delivery commit. */
  #unwritten = new DeliveryWrites();
  #retrying = false;
  /** Delivery commits started so far (a reset tells by it whether one started while its own was written). */
  #commits = 0;
  /** Per subscription, a sequence number taken at its last reset: leases handed out before it are gone for good. */
  readonly #resetSeq = new WeakMap<Subscription, number>();

  constructor(
    private readonly store: Store,
    private readonly logs: TopicLogs,
    private readonly registry: Registry,
    private readonly log: Logger,
    options: DeliveriesOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
    this.#events = options.events;
    this.#seq = this.#now() * 1000;
    logs.onAppend((topic) => this.wake(topic));
    this.#load();
  }

  /** The subscription of `consumer` on `topic`; a new one starts at the oldest retained message, or at the end. */
  subscription(consumer: string, topic: string, startAtEnd = false): Subscription {
    const key = subscriptionKey(consumer, topic);
    let sub = this.#subscriptions.get(key);
    if (!sub) {
      const start = startAtEnd ? this.logs.readableEnd(topic) : this.logs.firstOffset(topic);
      sub = new Subscription(consumer, topic, start);
      this.#subscriptions.set(key, sub);
      this.#byId.set(sub.id, sub);
    }
    return sub;
  }

  /** Hands out up to `batchSize` messages, waiting up to `waitMs` for one to become ready. */
  async receive(req: ReceiveRequest): Promise<Delivery[]> {
    const sub = this.subscription(req.consumer, req.topic);
    const first = await this.#takeAndPersist(sub, req);
    if (first.length > 0 || req.waitMs <= 0 || req.signal?.aborted) return first;
    return new Promise<Delivery[]>((resolve, reject) => {
      let done = false;
      const finish = (result: Promise<Delivery[]> | Delivery[]) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        req.signal?.removeEventListener('abort', onAbort);
        Promise.resolve(result).then(resolve, reject);
      };
      const waiter: Waiter = {
        topic: req.topic,
        tryTake: () => {
          if (done) return;
          let taken: Taken;
          try {
            taken = this.#take(sub, req);
          } catch (error) {
            // A store read failed: this receive fails, the other waiters still get their turn.
            finish(Promise.reject(error));
            return;
          }
          if (taken.deliveries.length > 0) {
            finish(this.#persist(taken, req.group).then(() => taken.deliveries));
          } else if (!taken.writes.empty || taken.deadLetters.length > 0) {
            // Only skipped or dead-lettered messages: record that and keep waiting.
            this.#persist(taken, req.group).catch((error: unknown) => this.log.error({ err: error }, 'persisting delivery state failed'));
          }
        },
      };
      const onAbort = () => finish([]);
      const timer = setTimeout(() => finish([]), req.waitMs);
      req.signal?.addEventListener('abort', onAbort);
      this.#waiters.add(waiter);
    });
  }

  /**
   * Acknowledges deliveries of (group, topic) in one durable commit and answers one result per
   * handle, in order. A handle of an earlier delivery, of an acked message, or of another group or
   * topic is INVALID_RECEIPT_HANDLE for its entry alone.
   */
  async ackBatch(group: string, topic: string, handles: readonly string[]): Promise<AckResult[]> {
    const results: AckResult[] = [];
    const writes = new DeliveryWrites();
    const acked: number[] = [];
    const removed: { sub: Subscription; lease: Lease }[] = [];
    for (const handleText of handles) {
      try {
        const { sub, lease } = this.#leaseOf(group, topic, handleText);
        sub.leases.delete(lease.offset);
        writes.forget(sub, lease);
        removed.push({ sub, lease });
        acked.push(results.length);
        results.push({ ok: true });
      } catch (error) {
        results.push({ ok: false, error });
      }
    }
    if (writes.empty) return results;
    try {
      await this.#commit(writes);
      if (this.#events?.wants(true, topic)) {
        const at = this.#now();
        for (const { sub, lease } of removed) this.#reportAck(sub, lease, at);
      }
    } catch (error) {
      // Not acknowledged after all: each lease stays as it was (its handle still acknowledges it).
      for (const { sub, lease } of removed) this.#restore(sub, lease, false);
      for (const index of acked) results[index] = { ok: false, error };
    }
    this.wake(topic);
    return results;
  }

  /**
   * Changes how long a delivered message stays invisible and returns its new receipt handle.
   * A wait shorter than the group's retry backoff for this attempt is raised to it, so a consumer
   * that keeps failing cannot spin (the Node client asks for 1 ms, 2 ms, 4 ms…).
   */
  async changeInvisibleDuration(group: string, topic: string, handleText: string, invisibleMs: number): Promise<string> {
    if (!(invisibleMs >= 0 && invisibleMs <= MAX_INVISIBLE_MS)) {
      throw new InvalidRequestError('ILLEGAL_INVISIBLE_TIME', `invisible duration ${invisibleMs} ms is outside 0 ms..12 h`);
    }
    const { sub, lease } = this.#leaseOf(group, topic, handleText);
    const settings = this.registry.group(groupOf(sub.consumer));
    const now = this.#now();
    lease.visibleAt = now + Math.max(invisibleMs, retryDelayMs(settings.retryBackoff, lease.attempts));
    sub.mayBecomeVisible(lease.visibleAt);
    lease.seq = this.#nextSeq();
    lease.autoRenew = false;
    lease.holder = undefined;
    this.wake(topic);
    return encodeReceiptHandle({ subscription: sub.id, offset: lease.offset, seq: lease.seq });
  }

  /** Moves a delivered message to the group's dead-letter topic and removes it from the subscription. */
  async forwardToDeadLetter(group: string, topic: string, handleText: string): Promise<void> {
    const { sub, lease } = this.#leaseOf(group, topic, handleText);
    const message = this.logs.read(topic, lease.offset);
    sub.leases.delete(lease.offset);
    const writes = new DeliveryWrites();
    writes.forget(sub, lease);
    if (message) {
      try {
        const report = (records: readonly MessageRecord[]) => this.#reportDeadLetter(sub, lease, message, group, records[0]!.storedAt, 'forwarded by the consumer');
        await this.#commit(writes, (entities) => this.logs.append([deadLetterDraft(message, group)], entities, { onDurable: report }));
      } catch (error) {
        this.#restore(sub, lease, true);
        throw error;
      }
      this.log.info({ group, topic, messageId: message.messageId, attempts: lease.attempts }, 'message forwarded to dead-letter queue by consumer');
    } else {
      await this.#commit(writes);
    }
    this.wake(topic);
  }

  /**
   * Makes the messages a push consumer held under auto-renew visible again (the client is gone)
   * and returns how many. Each keeps its attempt count, so its redelivery is the next attempt.
   *
   * Releasing early never loses a message, at worst it delivers one twice: a holder that is in
   * fact alive can still acknowledge with its handle until the message is delivered again, and
   * after that its handle is stale and the new delivery decides. FIFO order holds: the lease
   * keeps its place, leases are handed out in offset order and blocking goes by message group, so
   * the released message is handed out again before any later message of its group.
   */
  releaseHeldBy(clientId: string, now = this.#now()): number {
    const topics = new Set<string>();
    let released = 0;
    for (const sub of this.#subscriptions.values()) {
      for (const lease of sub.leases.values()) {
        if (lease.holder === clientId && lease.autoRenew && lease.visibleAt > now) {
          lease.visibleAt = now;
          sub.mayBecomeVisible(now);
          lease.autoRenew = false;
          lease.holder = undefined;
          released += 1;
          topics.add(sub.topic);
        }
      }
    }
    for (const topic of topics) this.wake(topic);
    return released;
  }

  /**
   * Releases the auto-renew leases of holders that are gone, and extends those of live holders
   * that are about to run out. Liveness is checked on every lease, not only on those due for
   * renewal, so a holder that went silent is noticed at once rather than near its lease's end.
   */
  renewLeases(isAlive: (clientId: string) => boolean, now = this.#now()): void {
    const gone = new Set<string>();
    for (const sub of this.#subscriptions.values()) {
      for (const lease of sub.leases.values()) {
        if (!lease.autoRenew || lease.holder === undefined) continue;
        if (gone.has(lease.holder) || !isAlive(lease.holder)) {
          gone.add(lease.holder);
        } else if (lease.visibleAt - now <= RENEW_AHEAD_MS && now - lease.leasedAt < MAX_RENEW_TOTAL_MS) {
          lease.visibleAt = now + AUTO_RENEW_INVISIBLE_MS;
        }
      }
    }
    for (const holder of gone) this.releaseHeldBy(holder, now);
  }

  /**
   * Moves messages that used up their delivery attempts to the dead-letter topic even when their
   * group stops receiving (a receive would move them too). Call periodically.
   */
  async sweepExhausted(now = this.#now()): Promise<void> {
    for (const sub of this.#subscriptions.values()) {
      const group = this.registry.group(groupOf(sub.consumer));
      const taken: Taken = { deliveries: [], handedOut: [], writes: new DeliveryWrites(), deadLetters: [] };
      for (const lease of sub.leases.values()) {
        if (lease.visibleAt > now || lease.attempts < group.maxDeliveryAttempts) continue;
        const message = this.logs.read(sub.topic, lease.offset);
        sub.leases.delete(lease.offset);
        taken.writes.forget(sub, lease);
        if (message) taken.deadLetters.push({ message, sub, lease });
      }
      await this.#persist(taken, group);
    }
  }

  /** Drops the subscriptions of a broadcast instance that left for good. */
  async dropConsumer(consumer: string): Promise<void> {
    const writes = new DeliveryWrites();
    for (const [key, sub] of this.#subscriptions) {
      if (sub.consumer !== consumer) continue;
      this.#subscriptions.delete(key);
      this.#byId.delete(sub.id);
      writes.cursor(sub);
      for (const lease of sub.leases.values()) writes.forget(sub, lease);
    }
    if (!writes.empty) await this.#commit(writes);
  }

  /**
   * Moves each target's cursor to its offset and drops every lease it holds (their receipt handles
   * turn stale), in one durable commit, then wakes waiting receives (an operator's reset: see
   * core/admin/reset.ts). A target without a subscription gets one. Nothing changes unless the
   * commit succeeds: the writes are read off the state as it is, and applied once durable. What
   * was handed out or written meanwhile is dropped too, in a second commit.
   */
  async reposition(targets: readonly { consumer: string; topic: string; offset: number }[]): Promise<{ consumer: string; topic: string; from: number; to: number }[]> {
    const planned = targets.map(({ consumer, topic, offset }) => {
      const sub = this.subscription(consumer, topic);
      return { sub, from: sub.nextOffset, to: offset };
    });
    const entities: EntityWrite[] = [];
    for (const { sub, to } of planned) for (const write of resetWrites(sub, to)) entities.push(write);
    const committed = this.#commit(new DeliveryWrites(), (unwritten) => this.store.commit({ entities: unwritten.concat(entities) }));
    const mark = this.#commits;
    await committed;
    const meanwhile = new DeliveryWrites();
    for (const { sub, to } of planned) {
      if (this.#subscriptions.get(sub.key) !== sub) continue; // dropped meanwhile (a broadcast instance left)
      sub.nextOffset = to;
      this.#resetSeq.set(sub, this.#nextSeq());
      for (const lease of sub.leases.values()) meanwhile.forget(sub, lease);
      sub.leases.clear();
      sub.visibleFrom = 0;
      meanwhile.cursor(sub);
    }
    // A delivery commit started while the reset's was written may have stored leases or a cursor of these subscriptions after it.
    if (this.#commits !== mark) {
      await this.#commit(meanwhile).catch((error: unknown) => this.log.error({ err: error }, 'writing what was handed out during a reset failed; the next delivery commit tries again'));
    }
    for (const topic of new Set(targets.map((t) => t.topic))) this.wake(topic);
    return planned.map(({ sub, from, to }) => ({ consumer: sub.consumer, topic: sub.topic, from, to }));
  }

  /** Persists a new subscription's cursor, so a broadcast instance keeps its start point. */
  async persistCursor(sub: Subscription): Promise<void> {
    const writes = new DeliveryWrites();
    writes.cursor(sub);
    await this.#commit(writes);
  }

  /** Forgets what retention removed: cursors below the first retained offset move up. */
  async afterTrim(topic: string, first: number): Promise<void> {
    const writes = new DeliveryWrites();
    for (const sub of this.#subscriptions.values()) {
      if (sub.topic !== topic) continue;
      if (sub.nextOffset < first) sub.nextOffset = first;
      for (const lease of sub.leases.values()) {
        if (lease.offset >= first) continue;
        sub.leases.delete(lease.offset);
        writes.forget(sub, lease);
      }
    }
    if (!writes.empty) await this.#commit(writes);
  }

  /** Lets long-polling receives on `topic` (or on every topic) look again. */
  wake(topic?: string): void {
    for (const waiter of [...this.#waiters]) {
      if (topic === undefined || waiter.topic === topic) waiter.tryTake();
    }
  }

  /** Unacknowledged messages per (consumer, topic), for operators and tests. */
  stats(): { consumer: string; topic: string; nextOffset: number; unacked: number }[] {
    return [...this.#subscriptions.values()].map((s) => ({ consumer: s.consumer, topic: s.topic, nextOffset: s.nextOffset, unacked: s.leases.size }));
  }

  async #takeAndPersist(sub: Subscription, req: ReceiveRequest): Promise<Delivery[]> {
    const taken = this.#take(sub, req);
    await this.#persist(taken, req.group);
    return taken.deliveries;
  }

  /**
   * Commits `writes` together with whatever earlier failed commits left unwritten (`commit` may
   * add messages to the same atomic batch). On failure everything stays unwritten for the next
   * commit: the durable state never shows a moved cursor without the leases that moved it.
   */
  async #commit(writes: DeliveryWrites, commit: (entities: EntityWrite[]) => Promise<unknown> = (entities) => this.store.commit({ entities })): Promise<void> {
    const all = this.#unwritten;
    all.absorb(writes);
    this.#unwritten = new DeliveryWrites();
    this.#commits += 1;
    try {
      await commit(all.done((sub) => this.#subscriptions.get(sub.key) === sub));
    } catch (error) {
      this.#unwritten.absorb(all);
      this.#retryUnwritten();
      throw error;
    }
  }

  /**
   * Writes what failed once more soon, by itself: a commit made concurrently with the failed one
   * may already have stored a cursor past the leases that failed, so they should not wait for the
   * next receive or ack. At most one retry is queued; its own failure queues none.
   */
  #retryUnwritten(): void {
    if (this.#retrying) return;
    this.#retrying = true;
    setImmediate(() => {
      if (this.#unwritten.empty) {
        this.#retrying = false;
        return;
      }
      this.#commit(new DeliveryWrites())
        .catch((error: unknown) => this.log.error({ err: error }, 'writing delivery state again failed; the next delivery commit tries again'))
        .finally(() => (this.#retrying = false));
    }).unref();
  }

  /** A take that could not be completed or made durable: visible again at once, and the hand-out is no attempt; dead letters stay leased. */
  #undo(taken: Taken): void {
    const now = this.#now();
    for (const { sub, lease } of taken.handedOut) {
      if (sub.leases.get(lease.offset) !== lease) continue;
      lease.visibleAt = now;
      lease.attempts = Math.max(0, lease.attempts - 1);
      lease.autoRenew = false;
      lease.holder = undefined;
      sub.mayBecomeVisible(now);
      this.#unwritten.attempts(sub, lease);
    }
    for (const { sub, lease } of taken.deadLetters) this.#restore(sub, lease, true);
  }

  /**
   * Puts back a lease whose settling (ack, dead-lettering) could not be made durable, keeping its
   * attempts; `visibleNow` makes it visible at once instead of when its invisible time ends.
   */
  #restore(sub: Subscription, lease: Lease, visibleNow: boolean): void {
    if (this.#subscriptions.get(sub.key) !== sub || sub.leases.has(lease.offset)) return;
    if ((this.#resetSeq.get(sub) ?? -1) > lease.seq) return; // a reset since dropped it
    if (visibleNow) {
      lease.visibleAt = this.#now();
      lease.autoRenew = false;
      lease.holder = undefined;
    }
    sub.leases.set(lease.offset, lease);
    sub.mayBecomeVisible(lease.visibleAt);
    this.#unwritten.attempts(sub, lease);
  }

  #take(sub: Subscription, req: ReceiveRequest, now = this.#now()): Taken {
    const taken: Taken = { deliveries: [], handedOut: [], writes: new DeliveryWrites(), deadLetters: [] };
    try {
      this.#takeInto(sub, req, now, taken);
    } catch (error) {
      // What the take changed before it failed stays in memory: it is written by the next commit.
      this.#unwritten.absorb(taken.writes);
      this.#undo(taken);
      throw error;
    }
    return taken;
  }

  #takeInto(sub: Subscription, req: ReceiveRequest, now: number, taken: Taken): void {
    if (req.attemptId) this.#retake(sub, req, now, taken);
    const fifo = req.group.fifo;
    const blocked = fifo ? sub.blockedGroups(now) : new Set<string>();
    const isBlocked = (lease: Lease) => fifo && lease.messageGroup !== undefined && blocked.has(lease.messageGroup);

    if (now >= sub.visibleFrom) {
      let earliest = Infinity;
      let complete = true;
      for (const lease of sub.leases.values()) {
        if (taken.deliveries.length >= req.batchSize) {
          complete = false;
          break;
        }
        if (lease.visibleAt > now || isBlocked(lease)) {
          earliest = Math.min(earliest, lease.visibleAt);
          continue;
        }
        const message = this.logs.read(sub.topic, lease.offset);
        if (!message || !req.filter(message.tag, message.properties)) {
          sub.leases.delete(lease.offset);
          taken.writes.forget(sub, lease);
        } else if (lease.attempts >= req.group.maxDeliveryAttempts) {
          sub.leases.delete(lease.offset);
          taken.writes.forget(sub, lease);
          taken.deadLetters.push({ message, sub, lease });
        } else {
          taken.deliveries.push(this.#lease(sub, lease, message, req, now, taken));
          earliest = Math.min(earliest, lease.visibleAt);
        }
      }
      if (complete) sub.visibleFrom = earliest;
    }

    const end = this.logs.readableEnd(sub.topic);
    const startOffset = sub.nextOffset;
    let range: LeaseRange | undefined;
    while (taken.deliveries.length < req.batchSize && sub.nextOffset < end && sub.nextOffset - startOffset < SCAN_LIMIT) {
      const offset = sub.nextOffset;
      const message = this.logs.read(sub.topic, offset); // before the cursor moves: a read that throws skips nothing
      sub.nextOffset++;
      if (!message || !req.filter(message.tag, message.properties)) continue;
      const lease: Lease = newLease(offset, 0, message.messageGroup, message.messageId, undefined);
      sub.leases.set(offset, lease);
      if (isBlocked(lease)) {
        sub.mayBecomeVisible(0);
        taken.writes.attempts(sub, lease);
        continue;
      }
      range ??= new LeaseRange(sub, offset);
      taken.deliveries.push(this.#lease(sub, lease, message, req, now, taken, range));
    }
    if (sub.nextOffset !== startOffset) taken.writes.cursor(sub);
  }

  /**
   * A client repeats a receive's `attempt_id` only when that receive failed on its side, so the
   * messages leased to that attempt never reached it: hand the same messages out again now rather
   * than leaving them (and, for FIFO, their whole message group) invisible until they expire.
   */
  #retake(sub: Subscription, req: ReceiveRequest, now: number, taken: Taken): void {
    const key = attemptKey(sub, req.attemptId!);
    const leases = this.#byAttempt.get(key);
    if (!leases) return;
    this.#byAttempt.delete(key); // #lease records again those handed out now
    for (let i = 0; i < leases.length; i++) {
      const lease = leases[i]!;
      if (sub.leases.get(lease.offset) !== lease || lease.attemptId !== req.attemptId || lease.holder !== req.clientId || lease.visibleAt <= now) continue;
      if (taken.deliveries.length >= req.batchSize) {
        this.#rememberAttempt(key, leases.slice(i));
        return;
      }
      const message = this.logs.read(sub.topic, lease.offset);
      if (!message) continue;
      lease.attempts -= 1; // #lease counts it again: the failed hand-out was not a delivery
      taken.deliveries.push(this.#lease(sub, lease, message, req, now, taken, lease.range, true));
    }
  }

  #rememberAttempt(key: string, leases: readonly Lease[]): void {
    let list = this.#byAttempt.get(key);
    if (!list) {
      if (this.#byAttempt.size >= MAX_REMEMBERED_ATTEMPTS) this.#byAttempt.delete(this.#byAttempt.keys().next().value!);
      list = [];
      this.#byAttempt.set(key, list);
    }
    for (const lease of leases) list.push(lease);
  }

  /**
   * Takes back deliveries whose receive call ended before they were written to the client: they
   * become visible again at once and the hand-out does not count as a delivery attempt.
   */
  async release(handles: readonly string[], now = this.#now()): Promise<void> {
    const writes = new DeliveryWrites();
    const topics = new Set<string>();
    const released: MessageEvent[] = [];
    for (const text of handles) {
      const handle = decodeReceiptHandle(text);
      const sub = this.#byId.get(handle.subscription);
      const lease = sub?.leases.get(handle.offset);
      if (!sub || !lease || lease.seq !== handle.seq) continue;
      lease.visibleAt = now;
      sub.mayBecomeVisible(now);
      lease.attempts = Math.max(0, lease.attempts - 1);
      lease.autoRenew = false;
      lease.holder = undefined;
      writes.attempts(sub, lease);
      topics.add(sub.topic);
      if (lease.messageId !== undefined && this.#events?.wants(true, sub.topic)) {
        // Traced as delivered already (the delivery was durable before the receive ended): say it did not arrive.
        released.push({ type: 'redelivered', messageId: lease.messageId, topic: sub.topic, at: now, group: groupOf(sub.consumer), attempt: lease.attempts + 1, note: RELEASED_NOTE });
      }
    }
    if (!writes.empty) await this.#commit(writes);
    for (const event of released) this.#events!.emit(event, true);
    for (const topic of topics) this.wake(topic);
  }

  /**
   * Hands `lease` out as its next attempt. A first delivery from the cursor joins `range` (one
   * durable entity for the whole receive); a retake that stays at attempt 1 keeps its range; any
   * other delivery records its attempt count on its own.
   */
  #lease(sub: Subscription, lease: Lease, message: MessageRecord, req: ReceiveRequest, now: number, taken: Taken, range?: LeaseRange, retake = false): Delivery {
    lease.messageId = message.messageId;
    if (this.#events?.wants(true, sub.topic)) {
      const { messageId } = message;
      const attempt = lease.attempts + 1;
      if (lease.attempts > 0 && !retake) {
        // Its last delivery ended unacknowledged: its invisible time ran out, or the consumer set it.
        const at = lease.visibleAt > 0 && lease.visibleAt <= now ? lease.visibleAt : now;
        (taken.events ??= []).push({ type: 'redelivered', messageId, topic: sub.topic, at, group: req.group.name, attempt });
      }
      (taken.events ??= []).push({ type: 'delivered', messageId, topic: sub.topic, at: now, group: req.group.name, clientId: req.clientId, attempt });
    }
    lease.attempts += 1;
    lease.seq = this.#nextSeq();
    lease.visibleAt = now + req.invisibleMs;
    sub.mayBecomeVisible(lease.visibleAt);
    lease.autoRenew = req.autoRenew;
    lease.holder = req.clientId;
    lease.leasedAt = now;
    lease.attemptId = req.attemptId;
    if (req.attemptId) this.#rememberAttempt(attemptKey(sub, req.attemptId), [lease]);
    taken.handedOut.push({ sub, lease });
    if (range && lease.attempts === 1) {
      if (lease.range !== range) taken.writes.fresh(range, lease);
    } else {
      taken.writes.attempts(sub, lease);
    }
    return { message, attempt: lease.attempts, receiptHandle: encodeReceiptHandle({ subscription: sub.id, offset: lease.offset, seq: lease.seq }) };
  }

  async #persist(taken: Taken, group: GroupSettings): Promise<void> {
    try {
      if (taken.deadLetters.length > 0) {
        const drafts: MessageDraft[] = taken.deadLetters.map((d) => deadLetterDraft(d.message, group.name));
        const report = (records: readonly MessageRecord[]) => {
          taken.deadLetters.forEach(({ sub, lease, message }, i) => this.#reportDeadLetter(sub, lease, message, group.name, records[i]!.storedAt));
        };
        await this.#commit(taken.writes, (entities) => this.logs.append(drafts, entities, { onDurable: report }));
      } else if (!taken.writes.empty || !this.#unwritten.empty) {
        await this.#commit(taken.writes);
      }
    } catch (error) {
      this.#undo(taken);
      throw error;
    }
    if (taken.events) for (const event of taken.events) this.#events!.emit(event, true);
    if (taken.deadLetters.length > 0) {
      for (const { message, lease } of taken.deadLetters) {
        this.log.warn({ group: group.name, topic: message.topic, messageId: message.messageId, attempts: lease.attempts }, 'message moved to dead-letter queue after max delivery attempts');
      }
    }
  }

  /** Reports an acknowledgement (the message id read from the log when the lease does not know it). */
  #reportAck(sub: Subscription, lease: Lease, at: number): void {
    const messageId = lease.messageId ?? this.logs.read(sub.topic, lease.offset)?.messageId;
    if (messageId === undefined) return;
    const event: Mutable<MessageEvent> = { type: 'acked', messageId, topic: sub.topic, at, group: groupOf(sub.consumer), attempt: lease.attempts };
    if (lease.holder !== undefined) event.clientId = lease.holder;
    this.#events!.emit(event, true);
  }

  /** Reports a move to the DLQ, at the time its copy was stored. */
  #reportDeadLetter(sub: Subscription, lease: Lease, message: MessageRecord, group: string, at: number, note?: string): void {
    if (!this.#events?.wants(true, sub.topic)) return;
    const event: MessageEvent = { type: 'dead-lettered', messageId: message.messageId, topic: deadLetterTopic(group), at, group, attempt: lease.attempts, ...(note !== undefined && { note }) };
    this.#events.emit(event, true, sub.topic);
  }

  #leaseOf(group: string, topic: string, handleText: string): { sub: Subscription; lease: Lease } {
    const handle = decodeReceiptHandle(handleText);
    const sub = this.#byId.get(handle.subscription);
    if (sub && (sub.topic !== topic || groupOf(sub.consumer) !== group)) {
      throw new InvalidRequestError('INVALID_RECEIPT_HANDLE', `receipt handle belongs to group ${groupOf(sub.consumer)} on topic ${sub.topic}, not ${group} on ${topic}`);
    }
    const lease = sub?.leases.get(handle.offset);
    if (!sub || !lease || lease.seq !== handle.seq) {
      throw new InvalidRequestError('INVALID_RECEIPT_HANDLE', 'receipt handle is stale: the message was acknowledged, or delivered again with a newer handle, or its group was reset');
    }
    return { sub, lease };
  }

  #nextSeq(): number {
    return ++this.#seq;
  }

  #load(): void {
    for (const cursor of this.store.loadEntities('cursor')) {
      const sub = new Subscription(cursor.consumer, cursor.topic, cursor.nextOffset);
      this.#subscriptions.set(sub.key, sub);
      this.#byId.set(sub.id, sub);
    }
    const held: { consumer: string; topic: string; offset: number; attempts: number; range?: LeaseRange }[] = [];
    for (const leased of this.store.loadEntities('leased')) {
      const sub = this.subscription(leased.consumer, leased.topic);
      const range = new LeaseRange(sub, leased.first);
      for (const offset of leased.offsets) held.push({ consumer: leased.consumer, topic: leased.topic, offset, attempts: 1, range });
    }
    // A loop, not push(...): a spread of a large argument list overflows the stack.
    for (const pending of this.store.loadEntities('pending')) held.push(pending);
    held.sort((a, b) => a.offset - b.offset);
    for (const h of held) {
      const sub = this.subscription(h.consumer, h.topic);
      const existing = sub.leases.get(h.offset);
      if (existing) {
        if (h.range) continue; // a pending entity of the offset wins over a range
        existing.range?.offsets.delete(h.offset);
      }
      h.range?.offsets.add(h.offset);
      const message = this.store.readMessage(h.topic, h.offset);
      sub.leases.set(h.offset, newLease(h.offset, h.attempts, message?.messageGroup, message?.messageId, h.range));
    }
  }
}

/** A lease not handed out yet; every lease is built here, so all have one shape (the same properties, in one order). */
function newLease(offset: number, attempts: number, messageGroup: string | undefined, messageId: string | undefined, range: LeaseRange | undefined): Lease {
  return { offset, attempts, visibleAt: 0, seq: 0, holder: undefined, autoRenew: false, leasedAt: 0, attemptId: undefined, messageGroup, messageId, range };
}

function attemptKey(sub: Subscription, attemptId: string): string {
  return `${sub.id}\u0000${attemptId}`;
}

interface Taken {
  readonly deliveries: Delivery[];
  /** The leases behind {@link deliveries}. */
  readonly handedOut: { sub: Subscription; lease: Lease }[];
  readonly writes: DeliveryWrites;
  readonly deadLetters: { message: MessageRecord; sub: Subscription; lease: Lease }[];
  /** What to report once the take is durable (allocated when there is something). */
  events?: MessageEvent[];
}
