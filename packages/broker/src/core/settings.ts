import type { GroupSettings, RetryBackoff, TopicSettings, TransactionSettings } from './types.js';
import type { TraceSettings } from './trace/trace-settings.js';

/** Everything the broker's domain is configured with: fully defaulted and validated. */
export interface BrokerSettings {
  readonly topics: ReadonlyMap<string, TopicSettings>;
  readonly groups: ReadonlyMap<string, GroupSettings>;
  readonly transaction: TransactionSettings;
  readonly autoCreateTopics: boolean;
  readonly autoCreateGroups: boolean;
  readonly maxBodyBytes: number;
  readonly retentionMs: number;
  readonly minInvisibleMs: number;
  readonly pushLongPollingMs: number;
  /** How long a push consumer whose Telemetry stream ended may take to come back before its held messages are released. */
  readonly reconnectGraceMs: number;
  /** Durable message traces. */
  readonly trace: TraceSettings;
}

/** Retry backoff of a group that does not declare its own (RocketMQ's defaults). */
export const DEFAULT_RETRY_BACKOFF: RetryBackoff = { initialMs: 1000, maxMs: 60_000, multiplier: 2 };

/** Delivery attempts of a group that does not declare its own (RocketMQ: 16 retries after the first). */
export const DEFAULT_MAX_DELIVERY_ATTEMPTS = 17;

/** Settings for a topic that is created on first use. */
export function autoTopic(name: string): TopicSettings {
  return { name, queues: 1, messageType: 'MIXED' };
}

/** Settings for a group that is created on first use. */
export function autoGroup(name: string): GroupSettings {
  return { name, fifo: false, broadcast: false, maxDeliveryAttempts: DEFAULT_MAX_DELIVERY_ATTEMPTS, retryBackoff: DEFAULT_RETRY_BACKOFF };
}
