import type { OnMessageOptions } from './on-message.js';

/**
 * What a push consumer subscribes a topic with: a tag expression (`*`, `A || B`) or an SQL92 filter
 * over the message's user properties (`{ sql: "a > 5 AND region = 'eu'" }`).
 */
export type SubscriptionExpression = string | { readonly sql: string };

/** The subscription expression of an `@OnMessage` binding: its `sql` filter, else its `tag` (default `*`). */
export function subscriptionExpression(options: Pick<OnMessageOptions, 'tag' | 'sql'>): SubscriptionExpression {
  return options.sql !== undefined ? { sql: options.sql } : (options.tag ?? '*');
}
