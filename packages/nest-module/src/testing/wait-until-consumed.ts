import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidOptionsError } from '@txmq/outbox';
import { NotConsumedError } from './not-consumed-error.js';
import type { TopicProgress } from './topic-progress.js';

/** Options of `TxmqTestingHandle.waitUntilConsumed`. */
export interface WaitUntilConsumedOptions {
  /** The topic the application sent to. */
  readonly topic: string;
  /** The consumer group (of an `@OnMessage` handler) that must have applied the messages. */
  readonly group: string;
  /**
   * How many messages must have been sent to `topic` (default 1), so that a wait that starts
   * before the application sends does not resolve at once. `0` waits only for what was sent.
   */
  readonly atLeast?: number;
  /** How long to wait before rejecting with `NotConsumedError` (default 10 000 ms). */
  readonly timeoutMs?: number;
}

const POLL_MS = 20;
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Polls `read` until at least `atLeast` messages were sent and the group applied all of them.
 * Each read races the time left: on PGlite a query waits behind any open transaction.
 */
export async function waitUntilConsumed(read: () => Promise<TopicProgress>, options: WaitUntilConsumedOptions): Promise<void> {
  const { topic, group, atLeast, timeoutMs } = checked(options);
  const deadline = Date.now() + timeoutMs;
  let progress: TopicProgress | undefined;
  for (;;) {
    const answer = await within(read(), deadline - Date.now());
    if (answer !== undefined) {
      progress = answer;
      if (progress.sent >= atLeast && progress.unapplied.length === 0) return;
      const parked = progress.unapplied.find((message) => message.status === 'parked');
      if (parked !== undefined) {
        throw notConsumed(topic, group, progress, `message ${parked.messageId} sent to topic ${topic} was parked by the relay (${parked.lastError ?? 'no error recorded'}), so group ${group} never gets it`);
      }
    }
    const left = deadline - Date.now();
    if (left <= 0) throw timedOut(topic, group, atLeast, timeoutMs, progress);
    await sleep(Math.min(POLL_MS, left));
  }
}

function checked(options: WaitUntilConsumedOptions): Required<WaitUntilConsumedOptions> {
  if (options === null || typeof options !== 'object') throw new InvalidOptionsError('options', 'must be an object { topic, group }');
  const { topic, group, atLeast = 1, timeoutMs = DEFAULT_TIMEOUT_MS } = options;
  if (typeof topic !== 'string' || topic === '') throw new InvalidOptionsError('topic', 'must be a topic name');
  if (typeof group !== 'string' || group === '') throw new InvalidOptionsError('group', 'must be a consumer group name');
  if (!Number.isInteger(atLeast) || atLeast < 0) throw new InvalidOptionsError('atLeast', `must be a non-negative integer, got ${String(atLeast)}`);
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw new InvalidOptionsError('timeoutMs', `must be a positive number of ms, got ${String(timeoutMs)}`);
  }
  return { topic, group, atLeast, timeoutMs };
}

/** What `promise` resolves to, or undefined when it has not settled after `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, Math.max(ms, 0), undefined)));
  // A read that loses the race finishes later (or fails once the database closes): ignore it.
  promise.catch(() => undefined);
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

function timedOut(topic: string, group: string, atLeast: number, timeoutMs: number, progress: TopicProgress | undefined): NotConsumedError {
  if (progress === undefined) {
    const problem = `could not read the outbox and inbox within ${timeoutMs} ms: the database did not answer (on PGlite, a transaction left open holds every other query)`;
    return notConsumed(topic, group, { sent: 0, unapplied: [] }, problem);
  }
  const { sent, unapplied } = progress;
  if (sent < atLeast) {
    const what = sent === 0 ? `no message sent to topic ${topic} yet` : `only ${sent} message(s) sent to topic ${topic}, fewer than ${atLeast}`;
    return notConsumed(topic, group, progress, `${what} after ${timeoutMs} ms (waiting for group ${group})`);
  }
  return notConsumed(topic, group, progress, `${unapplied.length} of ${sent} message(s) sent to topic ${topic} not applied by group ${group} within ${timeoutMs} ms`);
}

function notConsumed(topic: string, group: string, progress: TopicProgress, message: string): NotConsumedError {
  return new NotConsumedError({ topic, group, sent: progress.sent, messageIds: progress.unapplied.map((m) => m.messageId) }, message);
}
