import type { SubscriptionExpression } from '../types.js';
import { FilterType } from '../../wire/enums.js';
import type { FilterExpression } from '../../wire/types.js';

/** The wire FilterExpression of a subscription: a string is a TAG expression, `{ sql }` an SQL one. */
export function toFilterExpression(filter: SubscriptionExpression): FilterExpression {
  return typeof filter === 'string'
    ? { type: FilterType.TAG, expression: filter.trim() }
    : { type: FilterType.SQL, expression: filter.sql };
}
