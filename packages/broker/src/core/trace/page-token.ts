import { InvalidRequestError } from '../../errors.js';
import type { PageRequest } from '../views/index.js';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;

/** A page of offsets: where to continue from and how many to take. */
export interface OffsetPage {
  readonly from: number;
  readonly size: number;
}

/**
 * The offset a page of a topic's messages starts at (`pageToken`: base64url of it, absent: `start`)
 * and its size.
 *
 * @throws InvalidRequestError for a page size outside 1..1000 or a token that names no offset.
 */
export function offsetPage(page: PageRequest | undefined, start: number): OffsetPage {
  const size = page?.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new InvalidRequestError('BAD_REQUEST', `page size must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${size}`);
  }
  if (page?.pageToken === undefined || page.pageToken === '') return { from: start, size };
  const text = Buffer.from(page.pageToken, 'base64url').toString('utf8');
  const from = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(from)) {
    throw new InvalidRequestError('BAD_REQUEST', `page token ${JSON.stringify(page.pageToken)} is not one this listing handed out`);
  }
  return { from: Math.max(from, start), size };
}

/** The token of the page that starts at `offset`. */
export function offsetToken(offset: number): string {
  return Buffer.from(String(offset)).toString('base64url');
}
