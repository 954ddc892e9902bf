import { InvalidRequestError } from '../../errors.js';
import type { Page, PageRequest } from './index.js';

/** Items per page when the request does not say. */
export const DEFAULT_PAGE_SIZE = 50;
/** Most items one page may ask for. */
export const MAX_PAGE_SIZE = 1000;

/** Where a listing goes on: after the item with this key (a name, or an offset). */
export type PagePosition = string | number;

/**
 * The page size a request asks for: {@link DEFAULT_PAGE_SIZE} when absent or 0 (proto3's unset
 * value), else an integer from 1 to {@link MAX_PAGE_SIZE}.
 *
 * @throws InvalidRequestError naming `pageSize` otherwise.
 */
export function pageSizeOf(request: PageRequest | undefined): number {
  const size = request?.pageSize;
  if (size === undefined || size === 0) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new InvalidRequestError('BAD_REQUEST', `pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${String(size)}`);
  }
  return size;
}

/** An opaque token for "continue after `position`" (base64url of a small JSON document). */
export function encodePageToken(position: PagePosition): string {
  return Buffer.from(JSON.stringify({ after: position }), 'utf8').toString('base64url');
}

/**
 * The position a request's `pageToken` continues after, or undefined for the first page (no token,
 * or the empty string proto3 sends for none). `kind` is what the listing orders by.
 *
 * @throws InvalidRequestError naming `pageToken` when the token is not one this listing handed out.
 */
export function pagePosition(request: PageRequest | undefined, kind: 'string'): string | undefined;
export function pagePosition(request: PageRequest | undefined, kind: 'number'): number | undefined;
export function pagePosition(request: PageRequest | undefined, kind: 'string' | 'number'): PagePosition | undefined {
  const token = request?.pageToken;
  if (token === undefined || token === '') return undefined;
  let after: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) throw new Error('not base64url');
    after = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown } | null)?.after;
  } catch {
    after = undefined;
  }
  if (typeof after !== kind || (kind === 'number' && !Number.isSafeInteger(after))) {
    throw new InvalidRequestError('BAD_REQUEST', `pageToken ${JSON.stringify(token.length > 40 ? `${token.slice(0, 40)}…` : token)} is not a page token of this listing: pass the nextPageToken of the previous page, or none for the first page`);
  }
  return after as PagePosition;
}

/**
 * Where a page of a listing ordered by offset starts: past the offset the request's `pageToken`
 * continues after (the last one the previous page looked at), and never before `start` (the
 * first offset the listing covers).
 *
 * @throws InvalidRequestError naming `pageToken` (see {@link pagePosition}).
 */
export function pageStartOffset(request: PageRequest | undefined, start: number): number {
  const after = pagePosition(request, 'number');
  return after === undefined ? start : Math.max(after + 1, start);
}

/**
 * One page of `items` ordered by `keyOf` (ascending, unique keys): those after the request's
 * token. Keyed rather than counted, so an item added or removed between calls shifts nothing.
 */
export function pageByName<T>(items: readonly T[], request: PageRequest | undefined, keyOf: (item: T) => string): Page<T> {
  const size = pageSizeOf(request);
  const after = pagePosition(request, 'string');
  const sorted = [...items].sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
  const rest = after === undefined ? sorted : sorted.filter((item) => compareKeys(keyOf(item), after) > 0);
  const pageItems = rest.slice(0, size);
  const last = pageItems[pageItems.length - 1];
  return rest.length > size && last !== undefined ? { items: pageItems, nextPageToken: encodePageToken(keyOf(last)) } : { items: pageItems };
}

/** Orders names by their UTF-16 code units (as listings page by them), not by locale. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
