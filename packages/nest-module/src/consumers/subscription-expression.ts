import type { SubscriptionExpression } from '@txmq/broker/client';
import type { OnMessageOptions } from './on-message.js';

/** The subscription expression of an `@OnMessage` binding: its `sql` filter, else its `tag` (default `*`). */
export function subscriptionExpression(options: Pick<OnMessageOptions, 'tag' | 'sql'>): SubscriptionExpression {
  return options.sql !== undefined ? { sql: options.sql } : (options.tag ?? '*');
}
