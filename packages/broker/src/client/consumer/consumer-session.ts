import type { BrokerError } from '../../errors.js';
import type { MessageQueue } from '../../wire/types.js';
import type { ReceiveStream } from './receive-stream.js';

/** What the broker's Settings answer tells a consumer. */
export interface ConsumerSettings {
  /** The group consumes in order (FIFO): retries stay local, exhausted messages go to the dead-letter queue. */
  readonly fifo: boolean;
  /** Long-polling time the broker asks push consumers to use (ms), if it said. */
  readonly longPollingMs: number | undefined;
  /** Delivery attempts of the group, including the first. */
  readonly maxAttempts: number;
  /** Wait before redelivering after attempt `attempt` failed (ms). */
  retryDelayMs(attempt: number): number;
}

/** Where a consumer receives a topic's messages: one queue per broker of the topic's route. */
export interface ReceiveTarget {
  /**
   * Names the broker: its name, else its endpoint. Behind a RocketMQ 5 proxy every broker has the
   * proxy's endpoint and the proxy picks the broker by the queue's broker name.
   */
  readonly key: string;
  readonly queue: MessageQueue;
  /** Where to send the call (`host:port`): the broker's, or its proxy's. */
  readonly endpoint: string;
}

/**
 * What the consumers need of a client session (channels, route, Telemetry settings, heartbeats,
 * termination). Failures are `BrokerError`s.
 */
export interface ConsumerSession {
  /** Per-call timeout (ms). */
  readonly requestTimeoutMs: number;
  /** The namespace resources carry (may be empty). */
  readonly namespace: string;
  /** Connects, bounded by the client's `startupTimeoutMs`; resolves at once when started; `method` names the call in a `ClientClosedError`. */
  start(method: string): Promise<void>;
  /** Where `topic` can be received from: one readable queue per broker (none when no queue of it is readable). */
  receiveTargets(topic: string): Promise<readonly ReceiveTarget[]>;
  /** The broker's answer to the consumer's settings (defaults before one arrived). */
  settings(): ConsumerSettings;
  /** A unary call; rejects with a `BrokerError` when the call fails (in-band statuses are the caller's). */
  unary<Res>(endpoint: string, method: string, request: object): Promise<Res>;
  /** Opens a ReceiveMessage stream with a gRPC timeout (ms from now). */
  receiveStream(endpoint: string, request: object, timeoutMs: number): ReceiveStream;
  /** What a failed ReceiveMessage call (its stream's 'error') means, as a `BrokerError`. */
  callError(error: Error, endpoint: string): BrokerError;
  /** Leaves the group (NotifyClientTermination) and closes the session; idempotent. */
  close(): Promise<void>;
}
