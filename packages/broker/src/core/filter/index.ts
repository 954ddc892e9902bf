import { parseTagExpression } from '../tag-filter.js';
import { compileNode, type Properties } from './evaluate.js';
import { parseFilter } from './parser.js';

export type { Properties } from './evaluate.js';

/** Decides whether a message (its tag and user properties) matches a subscription. */
export type MessageFilter = (tag: string | undefined, properties: Properties) => boolean;

/** How a subscription's expression is read: RocketMQ's tag expression (`A || B`, `*`) or an SQL92 filter. */
export type FilterKind = 'tag' | 'sql';

/** Compiled expressions kept; a broker sees few distinct ones, so this bounds memory, not work. */
const CACHE_LIMIT = 1024;
const cache = new Map<string, MessageFilter>();

/**
 * Compiles an SQL92 filter over a message's user properties (`TAGS` is its tag). A message matches
 * when the expression is TRUE; FALSE and unknown (SQL's three-valued logic: a missing property,
 * a value that is not a number in a numeric comparison) do not match.
 * Throws `InvalidRequestError('ILLEGAL_FILTER_EXPRESSION')` naming the position of a syntax error.
 */
export function compileSqlFilter(expression: string): MessageFilter {
  const evaluate = compileNode(parseFilter(expression));
  return (tag, properties) => evaluate(tag, properties) === true;
}

/**
 * The filter of a subscription expression, compiled on first use and then reused for every receive
 * that carries the same expression. Throws like {@link compileSqlFilter} (or the tag parser).
 */
export function compiledFilter(kind: FilterKind, expression: string | undefined): MessageFilter {
  const key = `${kind}:${expression ?? ''}`;
  let filter = cache.get(key);
  if (filter === undefined) {
    filter = kind === 'sql' ? compileSqlFilter(expression ?? '') : parseTagExpression(expression);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(key, filter);
  }
  return filter;
}
