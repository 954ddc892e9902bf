import { FILTER_TYPE, type FilterExpression } from './wire-shapes.js';

/** What a subscription filters by: a tag expression (`*`, `a || b`) or `{ sql }`, an SQL92 filter on properties. */
export type SubscriptionFilter = string | { readonly sql: string };

/** The wire FilterExpression of a subscription: a string is a TAG expression, `{ sql }` an SQL one. */
export function toFilterExpression(filter: SubscriptionFilter): FilterExpression {
  return typeof filter === 'string'
    ? { type: FILTER_TYPE.TAG, expression: filter.trim() }
    : { type: FILTER_TYPE.SQL, expression: filter.sql };
}
