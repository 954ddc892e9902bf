import type { GroupSettings } from './types.js';

// Group names cannot contain '@' (rules/names.ts), so the first '@' ends the group name even when
// the client id contains '@' itself (the official clients' ids do).

/**
 * Who a subscription belongs to: the group itself for clustering delivery (the group shares one
 * cursor), or `group@clientId` for one client of a broadcast group (each gets every message).
 */
export function consumerOf(group: GroupSettings, clientId: string): string {
  return group.broadcast ? `${group.name}@${clientId}` : group.name;
}

/** The consumer group a consumer (see {@link consumerOf}) belongs to. */
export function groupOf(consumer: string): string {
  const at = consumer.indexOf('@');
  return at === -1 ? consumer : consumer.slice(0, at);
}

/**
 * A consumer as operators see it within its group: the group's name for clustering delivery, the
 * client id for one client of a broadcast group.
 */
export function consumerLabel(consumer: string): string {
  const at = consumer.indexOf('@');
  return at === -1 ? consumer : consumer.slice(at + 1);
}
