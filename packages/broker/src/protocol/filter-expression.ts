import { compiledFilter, type MessageFilter } from '../core/filter/index.js';
import { FilterType } from '../wire/enums.js';
import type { FilterExpression } from '../wire/types.js';

/**
 * The compiled filter of a wire FilterExpression: type SQL is an SQL92 filter, anything else a tag
 * expression (none at all matches every message). Throws `ILLEGAL_FILTER_EXPRESSION` when it does not parse.
 */
export function filterOf(expression: FilterExpression | undefined): MessageFilter {
  return compiledFilter(expression?.type === FilterType.SQL ? 'sql' : 'tag', expression?.expression);
}
