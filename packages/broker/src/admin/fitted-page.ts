import type { Page } from '../core/views/index.js';
import type { BodyBudget } from './body-budget.js';

/** Wire items of one answer, and the token of the page after it (empty on the last). */
export interface FittedPage<W> {
  readonly items: W[];
  readonly nextPageToken: string;
}

/**
 * The wire items of `page` that fit one answer: `encode` turns items into wire items with one
 * `budget()` until it refuses one (undefined). The page is then asked again with `refetch(n)`, n
 * being the number that fit, so that its `nextPageToken` continues right after the last item sent
 * (tokens are the backend's, opaque here); nothing is skipped. Ends: each round asks fewer items,
 * and the first item of an answer always fits.
 */
export function fittedPage<T, W>(
  page: Page<T>,
  budget: () => BodyBudget,
  encode: (item: T, budget: BodyBudget) => W | undefined,
  refetch: (pageSize: number) => Page<T>,
): FittedPage<W> {
  let current = page;
  for (;;) {
    const answer = budget();
    const items: W[] = [];
    for (const item of current.items) {
      const wire = encode(item, answer);
      if (wire === undefined) break;
      items.push(wire);
    }
    if (items.length === current.items.length) return { items, nextPageToken: current.nextPageToken ?? '' };
    current = refetch(items.length);
  }
}
