import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidRequestError } from '../src/errors.js';
import { DEFAULT_PAGE_SIZE, encodePageToken, pageByName, pagePosition, pageSizeOf, pageStartOffset } from '../src/core/views/paging.js';

const names = Array.from({ length: 120 }, (_, i) => `n${String(i).padStart(3, '0')}`);

test('pages follow one another through every item, each once, in key order', () => {
  const seen: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = pageByName([...names].reverse(), { pageSize: 50, ...(token !== undefined && { pageToken: token }) }, (n) => n);
    seen.push(...page.items);
    token = page.nextPageToken;
    pages += 1;
  } while (token !== undefined);
  assert.deepEqual(seen, names);
  assert.equal(pages, 3);
});

test('a page exactly at the end has no next token; an item added between pages shifts nothing', () => {
  const first = pageByName(names.slice(0, 100), { pageSize: 50 }, (n) => n);
  const grown = ['a-first', ...names.slice(0, 100)];
  const second = pageByName(grown, { pageSize: 50, pageToken: first.nextPageToken! }, (n) => n);
  assert.deepEqual(second.items, names.slice(50, 100));
  assert.equal(second.nextPageToken, undefined);
});

test('page size defaults to 50 (also for proto3 0) and must be 1 to 1000', () => {
  assert.equal(pageSizeOf(undefined), DEFAULT_PAGE_SIZE);
  assert.equal(pageSizeOf({ pageSize: 0 }), 50);
  assert.equal(pageSizeOf({ pageSize: 1000 }), 1000);
  for (const bad of [-1, 1001, 2.5, Number.NaN]) {
    assert.throws(() => pageSizeOf({ pageSize: bad }), (e: unknown) => e instanceof InvalidRequestError && /pageSize/.test(e.message), String(bad));
  }
});

test('a token that this listing did not hand out is an InvalidRequestError naming pageToken', () => {
  assert.equal(pagePosition({ pageToken: '' }, 'string'), undefined);
  assert.equal(pagePosition({ pageToken: encodePageToken(7) }, 'number'), 7);
  for (const bad of ['not a token!', 'eyJ4Ijox', Buffer.from('{"after":1}').toString('base64url'), Buffer.from('null').toString('base64url')]) {
    assert.throws(() => pagePosition({ pageToken: bad }, 'string'), (e: unknown) => e instanceof InvalidRequestError && /pageToken/.test(e.message), bad);
  }
  assert.throws(() => pagePosition({ pageToken: encodePageToken('x') }, 'number'), /pageToken/);
});

test('an offset listing starts past the token\'s offset, never before its first retained one', () => {
  assert.equal(pageStartOffset(undefined, 4), 4);
  assert.equal(pageStartOffset({ pageToken: '' }, 4), 4);
  assert.equal(pageStartOffset({ pageToken: encodePageToken(9) }, 4), 10);
  assert.equal(pageStartOffset({ pageToken: encodePageToken(1) }, 4), 4, 'retention trimmed past the token');
  assert.throws(() => pageStartOffset({ pageToken: encodePageToken('n001') }, 0), /pageToken/);
});
