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
  #outstanding = 0;
  #drained: Array<() => void> = [];

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
    if (!this.#topics.has(topic)) {
      this.#topics.add(topic);
      session.syncSettings();
    }
    const targets = writableTargets(await session.route(topic), session.endpoint);
    const bytes = batchBytesOf(message);
    this.#checkBodySize(message, targets[0]!.endpoint);
    const id = this.#ids.next();
    const pending = new Promise<Sent>((resolve, reject) => {
      this.#outstanding++;
      const settle = () => {
        if (--this.#outstanding === 0) for (const done of this.#drained.splice(0)) done();
      };
      this.#enqueue({
        topic,
        id,
        wire: toWireMessage(message, id, type, session.namespace),
        bytes,
        messageGroup: message.messageGroup,
        maxAttempts: transactional ? 1 : this.#maxAttempts,
        attempts: 0,
        resolve: (sent) => (settle(), resolve(sent)),
        reject: (error) => (settle(), reject(error)),
      }, type);
    });
    return pending;
  }

  /** Resolves once every message sent so far has been answered (retries included). */
  drain(): Promise<void> {
    if (this.#outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  #checkBodySize(message: OutgoingMessage, endpoint: string): void {
    const max = this.#session.serverSettings(endpoint)?.publishing?.maxBodySize;
    const size = typeof message.body === 'string' ? Buffer.byteLength(message.body) : message.body.byteLength;
    if (max !== undefined && max > 0 && size > max) {
      throw new BrokerRefusedError(STATUS_CODES.MESSAGE_BODY_TOO_LARGE, `the broker at ${endpoint} accepts bodies of at most ${max} bytes, this one has ${size}`);
    }
  }

  #enqueue(pending: Pending, type: MessageTypeNumber): void {
    if (type !== MessageType.NORMAL || this.#caps.maxMessages === 1) {
      void this.#dispatch([pending]);
      return;
    }
    let batcher = this.#batchers.get(pending.topic);
    if (!batcher) {
      batcher = new SendBatcher<Pending>(this.#caps, (batch) => this.#dispatch(batch));
      this.#batchers.set(pending.topic, batcher);
    }
    batcher.add(pending);
  }

  /** Sends one request for `batch` (one topic) and settles (or retries) each of its messages; never rejects. */
  async #dispatch(batch: Pending[]): Promise<void> {
    const session = this.#session;
    let endpoint = session.endpoint;
    let outcomes: SendOutcome[];
    try {
      const first = batch[0]!;
      const target = chooseTarget(writableTargets(await session.route(first.topic), session.endpoint), first.messageGroup, this.#turn++);
      endpoint = target.endpoint;
      const now = Date.now();
      for (const pending of batch) stamp(pending.wire, target.queue.id ?? 0, now);
      const response = await session.call<SendMessageResponse>('SendMessage', endpoint, { messages: batch.map((p) => p.wire) }, { checkStatus: false });
      outcomes = sendOutcomes(response, batch.map((p) => p.id), endpoint);
    } catch (error) {
      const failure = session.toError(error, 'send', endpoint);
      outcomes = batch.map(() => ({ ok: false, error: failure }));
    }
    batch.forEach((pending, i) => this.#settle(pending, outcomes[i]!, endpoint));
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
