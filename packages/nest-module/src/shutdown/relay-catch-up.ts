import type { RelayStats } from '@txmq/outbox';
import type { Deadline } from './deadline.js';

/** How often {@link relayCatchUp} counts the rows left, in ms. */
export const CATCH_UP_POLL_MS = 50;

/** How {@link relayCatchUp} ended. */
export type CatchUp = 'caught-up' | 'stalled' | 'deadline';

/**
 * Waits until `left()` (the rows committed during the shutdown that are still due and unclaimed)
 * is 0, so that the stopping relay publishes them rather than leaving them to the next relay.
 * Gives up when for `stallMs` neither `left()` went down nor the relay claimed anything (the
 * broker is down, or the rows wait behind a group's earlier row), or when `deadline` passes.
 * Time is the deadline's clock: `stallMs` counts the polls slept, whatever the counting took.
 */
export async function relayCatchUp(
  left: () => Promise<number>,
  relay: { stats(): Pick<RelayStats, 'claimed'> },
  deadline: Deadline,
  stallMs: number,
): Promise<CatchUp> {
  let remaining = await left();
  let claimed = relay.stats().claimed;
  let idleMs = 0;
  while (remaining > 0) {
    if (!(await deadline.sleep(CATCH_UP_POLL_MS))) return 'deadline';
    const nowLeft = await left();
    const nowClaimed = relay.stats().claimed;
    idleMs = nowLeft < remaining || nowClaimed > claimed ? 0 : idleMs + CATCH_UP_POLL_MS;
    remaining = nowLeft;
    claimed = nowClaimed;
    if (remaining > 0 && idleMs >= stallMs) return 'stalled';
  }
  return 'caught-up';
}
