import { BrokerRefusedError, BrokerUnreachableError, type BrokerError } from '../../errors.js';
import { STATUS_CODES } from '../../status-codes.js';
import { MessageType, type MessageTypeNumber } from '../../wire/enums.js';
import type { Resource, SendMessageResponse, WireMessage } from '../../wire/types.js';
import type { ClientSession } from '../session/session.js';
import type { OutgoingMessage, SendResult } from '../types.js';
import { MessageIdFactory } from './message-id.js';
import { chooseTarget, writableTargets } from './queue-choice.js';
import { backoffMs, isRetryable } from './retry.js';
import { SendBatcher, type BatchCaps } from './send-batcher.js';
import { sendOutcomes, type SendOutcome } from './send-results.js';
import { batchBytesOf, messageTypeOf, stamp, toWireMessage } from './wire-message.js';

/** A sent message: what the broker answered and which broker endpoint took it. */
export interface Sent {
  readonly result: SendResult;
  readonly endpoint: string;
}

interface Pending {
  readonly topic: string;
  readonly id: string;
  readonly wire: WireMessage;
  readonly bytes: number;
  readonly messageGroup: string | undefined;
  readonly maxAttempts: number;
  attempts: number;
  resolve(sent: Sent): void;
  reject(error: BrokerError): void;
}

/**
 * Sends messages of a started {@link ClientSession}: NORMAL messages of one topic in batches (see
 * {@link SendBatcher}), FIFO, DELAY and transactional ones one per request, as the proxy requires;
 * retries retryable failures up to `maxAttempts` with back-off, each message keeping its id (a
 * batch fails or succeeds as a whole against a proxy, so a retry may store a message twice).
 * A batch is capped by the broker's announced body limit too; a batch the broker refuses as a
 * whole (too large, or one bad message against a proxy answering one entry for N) stored nothing,
 * so it is sent again in halves (too large) or one message per request (any other refusal).
 * Keeps the topics it published to in the producer's Settings.
 */
export class Sender {
  readonly #session: ClientSession;
  readonly #maxAttempts: number;
  readonly #caps: BatchCaps;
  readonly #ids = new MessageIdFactory();
  readonly #batchers = new Map<string, SendBatcher<Pending>>();
  readonly #topics: Set<string>;
  #turn = 0;

  constructor(session: ClientSession, maxAttempts: number, caps: BatchCaps, topics: readonly string[]) {
    this.#session = session;
    this.#maxAttempts = maxAttempts;
    this.#caps = caps;
    this.#topics = new Set(topics);
  }

  /** The topics the producer announces in its Settings (those of its options, then every one it sent to). */
  publishingTopics(): Resource[] {
    return [...this.#topics].map((topic) => this.#session.resource(topic));
  }

  /** Sends `message` (checked by the caller); `transactional` sends it as a half message, once. */
  async send(message: OutgoingMessage, transactional: boolean): Promise<Sent> {
    const session = this.#session;
    const type = messageTypeOf(message, transactional);
    const topic = message.topic;
    const targets = writableTargets(await session.route(topic), session.endpoint);
    if (!this.#topics.has(topic)) {
      this.#topics.add(topic);
      session.syncSettings();
    }
    const bytes = batchBytesOf(message);
    this.#checkBodySize(message, targets[0]!.endpoint);
    const id = this.#ids.next();
    return new Promise<Sent>((resolve, reject) => {
      this.#enqueue({
        topic,
        id,
        wire: toWireMessage(message, id, type, session.namespace),
        bytes,
        messageGroup: message.messageGroup,
        maxAttempts: transactional ? 1 : this.#maxAttempts,
        attempts: 0,
        resolve,
        reject,
      }, type);
    });
  }

  #checkBodySize(message: OutgoingMessage, endpoint: string): void {
    const max = this.#session.serverSettings(endpoint)?.publishing?.maxBodySize;
    const size = typeof message.body === 'string' ? Buffer.byteLength(message.body) : message.body.byteLength;
    if (max !== undefined && max > 0 && size > max) {
      throw new BrokerRefusedError(STATUS_CODES.MESSAGE_BODY_TOO_LARGE, `the broker at ${endpoint} accepts bodies of at most ${max} bytes, this one has ${size}`);
    }
  }

  /** The caps of the next batch: the options', the bytes bounded by the body limit the broker announced. */
  #currentCaps(): BatchCaps {
    const announced = this.#session.serverSettings()?.publishing?.maxBodySize;
    const maxBytes = announced !== undefined && announced > 0 ? Math.min(this.#caps.maxBytes, announced) : this.#caps.maxBytes;
    return { maxMessages: this.#caps.maxMessages, maxBytes };
  }

  #enqueue(pending: Pending, type: MessageTypeNumber): void {
    if (type !== MessageType.NORMAL || this.#caps.maxMessages === 1) {
      void this.#dispatch([pending]);
      return;
    }
    let batcher = this.#batchers.get(pending.topic);
    if (!batcher) {
      batcher = new SendBatcher<Pending>(() => this.#currentCaps(), (batch) => this.#dispatch(batch));
      this.#batchers.set(pending.topic, batcher);
    }
    batcher.add(pending);
  }

  /** Sends one request for `batch` (one topic) and settles (or retries, or splits) its messages; never rejects. */
  async #dispatch(batch: Pending[]): Promise<void> {
    const session = this.#session;
    let endpoint = session.endpoint;
    let outcomes: SendOutcome[];
    let whole = true;
    try {
      const first = batch[0]!;
      const target = chooseTarget(writableTargets(await session.route(first.topic), session.endpoint), first.messageGroup, this.#turn++);
      endpoint = target.endpoint;
      const now = Date.now();
      for (const pending of batch) stamp(pending.wire, target.queue.id ?? 0, now);
      const response = await session.call<SendMessageResponse>('SendMessage', endpoint, { messages: batch.map((p) => p.wire) }, { checkStatus: false });
      whole = (response.entries?.length ?? 0) !== batch.length;
      outcomes = sendOutcomes(response, batch.map((p) => p.id), endpoint);
    } catch (error) {
      const failure = session.toError(error, 'send', endpoint);
      outcomes = batch.map(() => ({ ok: false, error: failure }));
    }
    const refusal = outcomes[0]!.ok ? undefined : outcomes[0]!.error;
    if (batch.length > 1 && whole && refusal instanceof BrokerRefusedError && !refusal.retryable && !session.closed) {
      await this.#resendSplit(batch, refusal);
      return;
    }
    batch.forEach((pending, i) => this.#settle(pending, outcomes[i]!, endpoint));
  }

  /**
   * Sends again a batch the broker refused as a whole (it stored none of it): in halves when it
   * was too large for the broker, else one message per request so that only the bad one fails.
   */
  async #resendSplit(batch: Pending[], refusal: BrokerRefusedError): Promise<void> {
    if (refusal.status === STATUS_CODES.PAYLOAD_TOO_LARGE) {
      const half = Math.ceil(batch.length / 2);
      await Promise.all([this.#dispatch(batch.slice(0, half)), this.#dispatch(batch.slice(half))]);
      return;
    }
    await Promise.all(batch.map((pending) => this.#dispatch([pending])));
  }

  #settle(pending: Pending, outcome: SendOutcome, endpoint: string): void {
    if (outcome.ok) {
      pending.resolve({ result: outcome.result, endpoint });
      return;
    }
    pending.attempts++;
    if (pending.attempts >= pending.maxAttempts || !isRetryable(outcome.error) || this.#session.closed) {
      pending.reject(outcome.error);
      return;
    }
    const delay = backoffMs(pending.attempts, this.#session.serverSettings(endpoint)?.backoffPolicy);
    const retry = () => setTimeout(() => this.#enqueue(pending, pending.wire.systemProperties!.messageType as MessageTypeNumber), delay);
    // A restarted broker is only used again once the channel reconnected: do not spend the attempts before.
    if (outcome.error instanceof BrokerUnreachableError) void this.#session.reconnected(endpoint).then(retry);
    else retry();
  }
}
