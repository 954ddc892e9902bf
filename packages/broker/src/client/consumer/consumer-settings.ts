import type { ConsumerSettings } from './consumer-session.js';
import { millisOf, type Duration } from '../../wire/types.js';

/** The part of the broker's Settings answer a consumer reads. */
export interface ServerSettingsView {
  readonly backoffPolicy?: {
    readonly maxAttempts?: number;
    readonly exponentialBackoff?: { readonly initial?: Duration; readonly max?: Duration; readonly multiplier?: number };
    readonly customizedBackoff?: { readonly next?: readonly Duration[] };
  };
  readonly subscription?: { readonly fifo?: boolean; readonly longPollingTimeout?: Duration };
}

/** txmq's defaults before the broker's Settings answer: 17 delivery attempts, retries after 1 s doubling up to 60 s. */
const DEFAULT_MAX_ATTEMPTS = 17;
const DEFAULT_BACKOFF = { initialMs: 1000, maxMs: 60_000, multiplier: 2 };

/** What the broker's Settings (or their absence, before the first answer) mean to a consumer. */
export function consumerSettingsOf(settings: ServerSettingsView | undefined): ConsumerSettings {
  const policy = settings?.backoffPolicy;
  const exponential = policy?.exponentialBackoff;
  const steps = (policy?.customizedBackoff?.next ?? []).map((d) => millisOf(d) ?? 0);
  const initialMs = millisOf(exponential?.initial) ?? DEFAULT_BACKOFF.initialMs;
  const maxMs = millisOf(exponential?.max) ?? DEFAULT_BACKOFF.maxMs;
  const multiplier = exponential?.multiplier && exponential.multiplier > 0 ? exponential.multiplier : DEFAULT_BACKOFF.multiplier;
  return {
    fifo: settings?.subscription?.fifo === true,
    longPollingMs: millisOf(settings?.subscription?.longPollingTimeout) || undefined,
    maxAttempts: policy?.maxAttempts && policy.maxAttempts > 0 ? policy.maxAttempts : DEFAULT_MAX_ATTEMPTS,
    retryDelayMs: (attempt) => {
      const n = Math.max(1, attempt);
      if (!exponential && steps.length > 0) return steps[Math.min(n, steps.length) - 1]!;
      return Math.min(maxMs, Math.round(initialMs * multiplier ** (n - 1)));
    },
  };
}
