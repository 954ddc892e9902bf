import type { GroupInFlight } from '../consumers/txmq-consumers.js';

const MAX_IDS = 5;

/**
 * `2 handlers of group billing still running (Billing.onOrder: messages a, b)`, one clause per
 * group joined with `; `; undefined when nothing is in flight.
 */
export function describeInFlight(groups: readonly GroupInFlight[]): string | undefined {
  const clauses = groups.map(({ group, messages }) => {
    const byHandler = new Map<string, string[]>();
    for (const { handler, messageId } of messages) byHandler.set(handler, [...(byHandler.get(handler) ?? []), messageId]);
    const which = [...byHandler].map(([handler, ids]) => `${handler}: ${ids.length === 1 ? 'message' : 'messages'} ${list(ids)}`).join(', ');
    return `${messages.length} ${messages.length === 1 ? 'handler' : 'handlers'} of group ${group} still running (${which})`;
  });
  return clauses.length === 0 ? undefined : clauses.join('; ');
}

function list(ids: readonly string[]): string {
  return ids.length <= MAX_IDS ? ids.join(', ') : `${ids.slice(0, MAX_IDS).join(', ')} and ${ids.length - MAX_IDS} more`;
}
