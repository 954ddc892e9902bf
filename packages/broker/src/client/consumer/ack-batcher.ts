import { BrokerRefusedError } from '../../errors.js';
import { STATUS_CODES } from '../../status-codes.js';
import { isSuccess, refusalOf, type StatusCheck } from '../session/status.js';
import type { AckMessageResponse, AckMessageResultEntry } from '../../wire/types.js';

/** Where an acknowledgement goes: one AckMessageRequest names one topic and is sent to one broker. */
export interface AckTarget {
  readonly topic: string;
  /** The broker (`host:port`) that delivered the message. */
  readonly endpoint: string;
}

/** One entry of an AckMessageRequest. */
export interface AckEntry {
  readonly messageId: string;
  readonly receiptHandle: string;
}

/** Sends one AckMessageRequest of the consumer's group; rejects with a `BrokerError` when the call fails. */
export type AckSender = (target: AckTarget, entries: readonly AckEntry[]) => Promise<AckMessageResponse>;

/** Entries of one AckMessageRequest at most (the protocol sets no limit; this bounds a request's size). */
export const DEFAULT_MAX_ACK_ENTRIES = 256;

interface Pending {
  readonly entry: AckEntry;
  resolve(): void;
  reject(error: unknown): void;
}

interface Lane {
  readonly target: AckTarget;
  queued: Pending[];
  inFlight: number;
}

/**
 * Batches acknowledgements: an ack is sent at once when no AckMessageRequest of its topic and
 * broker is in flight; acks that arrive while one is go together in the next request (one
 * request per topic and broker, never an empty one). Each `ack()` settles with its own entry's
 * result, matched by receipt handle (or message id), never by position: a proxy may reorder them.
 */
export class AckBatcher {
  readonly #send: AckSender;
  readonly #maxEntries: number;
  readonly #lanes = new Map<string, Lane>();
  readonly #idleWaiters: Array<() => void> = [];
  #outstanding = 0;

  constructor(send: AckSender, maxEntries = DEFAULT_MAX_ACK_ENTRIES) {
    this.#send = send;
    this.#maxEntries = maxEntries;
  }

  /** Acks in flight or queued. */
  get outstanding(): number {
    return this.#outstanding;
  }

  /** Acknowledges one delivery; resolves once the broker confirmed this entry. */
  ack(target: AckTarget, entry: AckEntry): Promise<void> {
    const key = `${target.endpoint}\u0000${target.topic}`;
    let lane = this.#lanes.get(key);
    if (!lane) {
      lane = { target, queued: [], inFlight: 0 };
      this.#lanes.set(key, lane);
    }
    this.#outstanding += 1;
    const settled = new Promise<void>((resolve, reject) => lane.queued.push({ entry, resolve, reject }));
    // A full batch need not wait for the request in flight.
    if (lane.inFlight === 0 || lane.queued.length >= this.#maxEntries) this.#flush(key, lane);
    return settled;
  }

  /** Resolves once every ack given so far has settled. */
  idle(): Promise<void> {
    if (this.#outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #flush(key: string, lane: Lane): void {
    const batch = lane.queued.splice(0, this.#maxEntries);
    if (batch.length === 0) {
      if (lane.inFlight === 0) this.#lanes.delete(key);
      return;
    }
    lane.inFlight += 1;
    const entries = batch.map((p) => p.entry);
    new Promise<AckMessageResponse>((resolve) => resolve(this.#send(lane.target, entries))).then(
      (response) => settleEntries(batch, response, lane.target.endpoint),
      (error: unknown) => {
        for (const p of batch) p.reject(error);
      },
    ).finally(() => {
      lane.inFlight -= 1;
      this.#outstanding -= batch.length;
      if (lane.inFlight === 0) this.#flush(key, lane);
      if (this.#outstanding === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
    });
  }
}

/** An entry's status, and a request's one read for entries it has none for: MULTIPLE_RESULTS is no success. */
const ENTRY: StatusCheck = { multipleResultsSucceed: false };

/**
 * Settles each pending ack of a batch from the response's entry for it, matched by receipt handle,
 * else by message id (a proxy that renewed a handle itself, auto-renew, answers with the renewed one).
 */
function settleEntries(batch: readonly Pending[], response: AckMessageResponse, endpoint: string): void {
  const byHandle = new Map<string, AckMessageResultEntry>();
  const byId = new Map<string, AckMessageResultEntry>();
  for (const result of response.entries ?? []) {
    if (result.receiptHandle) byHandle.set(result.receiptHandle, result);
    if (result.messageId && !byId.has(result.messageId)) byId.set(result.messageId, result);
  }
  const top = response.status;
  for (const p of batch) {
    const what = `the ack of message ${p.entry.messageId}`;
    const result = byHandle.get(p.entry.receiptHandle) ?? byId.get(p.entry.messageId);
    if (result?.status) {
      const refused = refusalOf(result.status, endpoint, [], what, ENTRY);
      if (refused) p.reject(refused);
      else p.resolve();
    } else if (isSuccess(top, [], ENTRY)) {
      // The whole request succeeded: every entry did.
      p.resolve();
    } else if (top?.code === STATUS_CODES.MULTIPLE_RESULTS) {
      const missing = result ? 'an entry without a status' : 'no entry';
      p.reject(new BrokerRefusedError(STATUS_CODES.MULTIPLE_RESULTS, `the broker at ${endpoint} answered the ack of several messages with mixed results, and ${missing} for message ${p.entry.messageId}`));
    } else {
      p.reject(refusalOf(top, endpoint, [], what, ENTRY)!);
    }
  }
}
