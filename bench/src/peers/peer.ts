import type { SystemKey } from '../report/systems.js';

/** A running subscription of {@link Peer.subscribe}. */
export interface Subscription {
  /** Stops delivering and releases the consumer. */
  stop(): Promise<void>;
}

/** One messaging system under test, on a queue (topic, stream) of its own. */
export interface Peer {
  readonly key: SystemKey;
  /** Connects and creates the queue; rejects when the system cannot be reached. */
  setup(): Promise<void>;
  /**
   * Publishes `count` bodies with at most `inFlight` unconfirmed at a time, starting none after
   * `until` (a `performance.now()` time); every publish is durable and confirmed. Resolves to how
   * many were published.
   */
  publish(count: number, body: Buffer, inFlight: number, until?: number): Promise<number>;
  /** Publishes one body and resolves once it is durably confirmed. */
  send(body: Buffer): Promise<void>;
  /** Consumes and acknowledges (each message on its own) `count` messages, at most `inFlight` unacknowledged. */
  consume(count: number, inFlight: number): Promise<void>;
  /** Hands every message to `onMessage` as it arrives, then acknowledges it. */
  subscribe(onMessage: (body: Buffer) => void, inFlight: number): Promise<Subscription>;
  /** Deletes the queue and disconnects. */
  teardown(): Promise<void>;
}

/** Builds a peer whose queue names end in `suffix`. */
export type PeerFactory = (suffix: string) => Peer;

/**
 * Runs `task(i)` for i in [0, count) with at most `inFlight` running at once, starting none after
 * `until` (a `performance.now()` time); resolves to how many ran, once all of them finished.
 */
export async function pool(count: number, inFlight: number, task: (i: number) => Promise<unknown>, until = Number.POSITIVE_INFINITY): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next < count && performance.now() < until) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
  return next;
}

/** A promise with its resolve function, for "resolve when the n-th message arrived". */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
