import { InvalidRequestError } from '../../errors.js';
import { consumerLabel, groupOf } from '../consumer.js';
import type { ResetResult, ResetTarget } from '../views/index.js';
import type { AdminContext } from './context.js';
import { knownGroup } from './known-groups.js';
import { knownTopic } from './known-topics.js';

/**
 * Moves every position of `group` (each client's, for a broadcast group) on every topic it
 * consumes, or on `topic` only, to the first message stored at or after `to.time` (clamped to what
 * is retained), or to the end. What the group held in flight on those topics (leased, or waiting
 * for a retry) is dropped: a reset means "consume from here". The new positions and the dropped
 * leases are written in one durable commit, then waiting receives are woken, so consumers receive
 * from the new position at once - also messages the group acknowledged before, when the reset goes
 * back in time. A receipt handle from before the reset is stale: acknowledging it fails with
 * INVALID_RECEIPT_HANDLE and changes nothing.
 *
 * A clustering group reset on a `topic` it has no position on yet gets one there, so it starts at
 * that point once it subscribes; without `topic`, a group with no positions changes nothing. Delay
 * and transactional messages not yet in their topic are not affected.
 *
 * @throws NotFoundError CONSUMER_GROUP_NOT_FOUND, TOPIC_NOT_FOUND
 * @throws InvalidRequestError BAD_REQUEST for a target that is neither `'end'` nor `{ time }`
 */
export async function resetGroup(ctx: AdminContext, group: string, to: ResetTarget, topic?: string): Promise<ResetResult> {
  const settings = knownGroup(ctx, group).settings;
  if (to !== 'end' && !(typeof to === 'object' && to !== null && Number.isFinite(to.time))) {
    throw new InvalidRequestError('BAD_REQUEST', `reset target must be 'end' or { time: ms since the epoch }, got ${JSON.stringify(to)}`);
  }
  if (topic !== undefined) knownTopic(ctx, topic);
  const positions = ctx.deliveries.stats().filter((p) => groupOf(p.consumer) === group && (topic === undefined || p.topic === topic));
  if (topic !== undefined && positions.length === 0 && !settings.broadcast) positions.push({ consumer: group, topic, nextOffset: 0, unacked: 0 });
  const targets = positions.map((p) => ({ consumer: p.consumer, topic: p.topic, offset: targetOffset(ctx, p.topic, to) }));
  const moved = await ctx.deliveries.reposition(targets);
  ctx.log.info({ group, to, topic, subscriptions: moved.length }, 'consumer group reset by an operator');
  return {
    group,
    subscriptions: moved.map((m) => ({ ...m, consumer: consumerLabel(m.consumer) })),
  };
}

function targetOffset(ctx: AdminContext, topic: string, to: ResetTarget): number {
  const end = ctx.logs.readableEnd(topic);
  if (to === 'end') return end;
  const first = Math.min(ctx.store.topicBounds(topic).first, end);
  return Math.min(end, Math.max(first, ctx.store.offsetAtTime(topic, to.time)));
}
