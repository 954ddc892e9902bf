import { InvalidRequestError } from '../errors.js';

/** Decides whether a message's tag matches a subscription. */
export type TagFilter = (tag: string | undefined) => boolean;

const MATCH_ALL: TagFilter = () => true;

/**
 * Parses a RocketMQ tag expression: empty or `*` matches every message (tagged or not);
 * otherwise `A || B` matches messages whose tag is exactly one of the listed tags.
 */
export function parseTagExpression(expression: string | undefined): TagFilter {
  const text = (expression ?? '').trim();
  if (text === '' || text === '*') return MATCH_ALL;
  const tags = new Set(text.split('||').map((t) => t.trim()).filter((t) => t !== ''));
  if (tags.size === 0) {
    throw new InvalidRequestError('ILLEGAL_FILTER_EXPRESSION', `tag expression ${JSON.stringify(expression)} names no tag`);
  }
  return (tag) => tag !== undefined && tags.has(tag);
}
