import { BrokerRefusedError } from '../../errors.js';
import { STATUS_CODES } from '../../status-codes.js';
import { Permission } from '../../wire/enums.js';
import type { MessageQueue } from '../../wire/types.js';
import { endpointOf, type Route } from '../session/route.js';

/** A queue a message can be sent to, with its broker's endpoint. */
export interface Target {
  readonly queue: MessageQueue;
  readonly endpoint: string;
}

const cache = new WeakMap<Route, Target[]>();

/** The writable queues of `route` (with an endpoint); refuses when there are none. */
export function writableTargets(route: Route, accessPoint: string): readonly Target[] {
  const cached = cache.get(route);
  if (cached) return cached;
  const targets = route.queues.flatMap((queue): Target[] => {
    const endpoint = endpointOf(queue.broker?.endpoints);
    const writable = queue.permission === Permission.WRITE || queue.permission === Permission.READ_WRITE;
    return writable && endpoint !== undefined ? [{ queue, endpoint }] : [];
  });
  if (targets.length === 0) {
    throw new BrokerRefusedError(STATUS_CODES.FORBIDDEN, `the broker at ${accessPoint} answered no writable queue for topic ${route.topic}`);
  }
  cache.set(route, targets);
  return targets;
}

/** The target of a message: by its group's hash for FIFO (so a group keeps one queue), round-robin otherwise. */
export function chooseTarget(targets: readonly Target[], messageGroup: string | undefined, turn: number): Target {
  const index = messageGroup === undefined ? turn : fnv1a(messageGroup);
  return targets[index % targets.length]!;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}
