import type { Outbox, Relay } from '@txmq/outbox';
import type { Deadline } from './deadline.js';

const POLL_MS = 20;

/** How {@link relayCatchUp} ended. */
export type CatchUp = 'caught-up' | 'stalled' | 'deadline';

/**
 * Waits until `relay` has claimed as many rows as the outbox has due now, so that rows the last
 * handlers committed are claimed (and then published by the stopping relay) rather than left for
 * the next relay. Gives up when the relay claims nothing for `stallMs` (the broker is down, or
 * the rows are another relay's) or when `deadline` passes.
 */
export async function relayCatchUp(outbox: Outbox, relay: Relay, deadline: Deadline, stallMs: number): Promise<CatchUp> {
  const claimedBefore = relay.stats().claimed;
  const { due } = await outbox.stats();
  let claimed = relay.stats().claimed;
  let idlePolls = 0;
  while (claimed - claimedBefore < due) {
    if (!(await deadline.sleep(POLL_MS))) return 'deadline';
    const now = relay.stats().claimed;
    idlePolls = now > claimed ? 0 : idlePolls + 1;
    claimed = now;
    if (idlePolls * POLL_MS >= stallMs) return 'stalled';
  }
  return 'caught-up';
}
