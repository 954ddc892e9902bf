import { randomUUID } from 'node:crypto';
import type { AckSender } from './ack-batcher.js';
import type { ConsumerSession, ReceiveTarget } from './consumer-session.js';
import { readReceiveStream } from './receive-stream.js';
import { toDelivery, type Delivery, type Receipt } from './received-message.js';
import { refusalOf } from '../session/status.js';
import { durationOf, type AckMessageResponse, type ChangeInvisibleDurationResponse, type FilterExpression, type StatusResponse } from '../../wire/types.js';

/** Longest long poll a RocketMQ proxy honours (it clamps to 5 s..20 s). */
export const MAX_LONG_POLL_MS = 20_000;
/**
 * A RocketMQ proxy holds a long poll for at least this long, whatever was asked, and refuses one
 * (ILLEGAL_POLLING_TIME) whose gRPC deadline leaves less than this.
 */
export const PROXY_MIN_LONG_POLL_MS = 5000;
/** The gRPC deadline of a receive exceeds its long poll by this, so the broker's answer arrives in time. */
const RECEIVE_DEADLINE_MARGIN_MS = 2000;

/** The gRPC timeout of a receive that long-polls `longPollMs`. */
export function receiveTimeoutMs(longPollMs: number, requestTimeoutMs: number): number {
  return Math.max(longPollMs, PROXY_MIN_LONG_POLL_MS) + Math.max(RECEIVE_DEADLINE_MARGIN_MS, requestTimeoutMs);
}

/** One ReceiveMessage: what to ask for. */
export interface ReceiveAsk {
  readonly target: ReceiveTarget;
  readonly filter: FilterExpression;
  readonly batchSize: number;
  /** How long received messages stay invisible to the rest of the group. */
  readonly invisibleMs: number;
  /** Let the broker keep the messages invisible while this client lives (push consumers). */
  readonly autoRenew: boolean;
  readonly longPollMs: number;
  /** The same for retries of one failed receive (default: a new one). */
  readonly attemptId?: string;
}

/** The RPCs of one consumer group over a session. */
export class ConsumerRpcs {
  readonly #session: ConsumerSession;
  readonly #group: string;

  constructor(session: ConsumerSession, group: string) {
    this.#session = session;
    this.#group = group;
  }

  #resource(name: string) {
    return { name, resourceNamespace: this.#session.namespace };
  }

  /** One long poll; `signal` cancels it (then it resolves with what had arrived). */
  async receive(ask: ReceiveAsk, signal: AbortSignal): Promise<Delivery[]> {
    const { endpoint } = ask.target;
    const longPollMs = Math.min(ask.longPollMs, MAX_LONG_POLL_MS);
    const request = {
      group: this.#resource(this.#group),
      messageQueue: ask.target.queue,
      filterExpression: ask.filter,
      batchSize: ask.batchSize,
      invisibleDuration: durationOf(ask.invisibleMs),
      autoRenew: ask.autoRenew,
      longPollingTimeout: durationOf(longPollMs),
      attemptId: ask.attemptId ?? randomUUID(),
    };
    const stream = this.#session.receiveStream(endpoint, request, receiveTimeoutMs(longPollMs, this.#session.requestTimeoutMs));
    const messages = await readReceiveStream(stream, endpoint, signal, (error) => this.#session.callError(error, endpoint));
    return messages.map((message) => toDelivery(message, endpoint));
  }

  /** Sends one AckMessageRequest (for an {@link AckBatcher}). */
  readonly ack: AckSender = (target, entries) =>
    this.#session.unary<AckMessageResponse>(target.endpoint, 'AckMessage', {
      group: this.#resource(this.#group),
      topic: this.#resource(target.topic),
      entries,
    });

  /** Makes a delivery invisible for `invisibleMs` from now; updates the receipt's handle to the new one. */
  async changeInvisibleDuration(receipt: Receipt, invisibleMs: number): Promise<void> {
    const response = await this.#session.unary<ChangeInvisibleDurationResponse>(receipt.endpoint, 'ChangeInvisibleDuration', {
      group: this.#resource(this.#group),
      topic: this.#resource(receipt.topic),
      receiptHandle: receipt.receiptHandle,
      messageId: receipt.messageId,
      invisibleDuration: durationOf(invisibleMs),
    });
    const refused = refusalOf(response.status, receipt.endpoint, [], `the invisible-duration change of message ${receipt.messageId}`);
    if (refused) throw refused;
    if (response.receiptHandle) receipt.receiptHandle = response.receiptHandle;
  }

  /** Moves a delivery to the group's dead-letter queue (the broker also removes it from the group). */
  async forwardToDeadLetterQueue(receipt: Receipt, deliveryAttempt: number, maxDeliveryAttempts: number): Promise<void> {
    const response = await this.#session.unary<StatusResponse>(receipt.endpoint, 'ForwardMessageToDeadLetterQueue', {
      group: this.#resource(this.#group),
      topic: this.#resource(receipt.topic),
      receiptHandle: receipt.receiptHandle,
      messageId: receipt.messageId,
      deliveryAttempt,
      maxDeliveryAttempts,
    });
    const refused = refusalOf(response.status, receipt.endpoint, [], `the dead-letter forwarding of message ${receipt.messageId}`);
    if (refused) throw refused;
  }
}
