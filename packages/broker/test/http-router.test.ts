import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bodyPreview } from '../src/http/json-views.js';
import { errorResponse, HttpError } from '../src/http/http-error.js';
import { Router } from '../src/http/router.js';
import { InvalidRequestError, NotFoundError, StoreError } from '../src/errors.js';

const ok = (name: string) => () => name;

test('routes by method and pattern; :params are percent-decoded; HEAD is GET; 405 names what is allowed', () => {
  const router = new Router().add('GET', '/api/groups', ok('list')).add('GET', '/api/groups/:name', ok('one')).add('POST', '/api/dlq/:group/resend', ok('resend'));
  assert.equal(router.match('GET', '/api/groups')?.handler({} as never), 'list');
  assert.deepEqual(router.match('GET', '/api/groups/%25DLQ%25billing')?.params, { name: '%DLQ%billing' });
  assert.deepEqual(router.match('HEAD', '/api/groups/a%2Fb')?.params, { name: 'a/b' });
  assert.equal(router.match('GET', '/api/groups/'), undefined, 'an empty segment is no name');
  assert.equal(router.match('GET', '/api/groups/a/b'), undefined);
  assert.equal(router.match('GET', '/api/nothing'), undefined);
  assert.throws(() => router.match('DELETE', '/api/groups/x'), (error: HttpError) => error.status === 405 && error.headers.allow === 'GET, HEAD');
  assert.throws(() => router.match('GET', '/api/dlq/g/resend'), (error: HttpError) => error.status === 405 && error.headers.allow === 'POST');
  assert.throws(() => router.match('GET', '/api/groups/%E0%A4%A'), (error: HttpError) => error.status === 400 && /percent-encoding/.test(error.message));
});

test('errors: not found 404, invalid 400 with the core code, a store failure or a bug 500', () => {
  assert.deepEqual(errorResponse(new NotFoundError('TOPIC_NOT_FOUND', 'topic x does not exist')), { status: 404, code: 'TOPIC_NOT_FOUND', message: 'topic x does not exist', headers: {}, unexpected: false });
  assert.equal(errorResponse(new InvalidRequestError('ILLEGAL_TOPIC', 'bad')).status, 400);
  assert.equal(errorResponse(new StoreError('disk full')).status, 500);
  const bug = errorResponse(new TypeError('x is undefined'));
  assert.deepEqual([bug.status, bug.code, bug.message, bug.unexpected], [500, 'INTERNAL_ERROR', 'internal error: x is undefined', true]);
});

test('a body preview: printable UTF-8 as text, anything else as base64, with the full size', () => {
  assert.deepEqual(bodyPreview(Buffer.from('{"id":1}\n\ttab')), { body: '{"id":1}\n\ttab', bodyEncoding: 'utf8', bodySize: 13, bodyTruncated: false });
  assert.deepEqual(bodyPreview(Buffer.from([0xc3, 0x28])), { body: 'wyg=', bodyEncoding: 'base64', bodySize: 2, bodyTruncated: false }, 'invalid UTF-8');
  assert.equal(bodyPreview(Buffer.alloc(0)).body, '');
  const binary = bodyPreview(Buffer.alloc(10_000, 1));
  assert.deepEqual([binary.bodyEncoding, binary.bodySize, binary.bodyTruncated, Buffer.from(binary.body, 'base64').length], ['base64', 10_000, true, 4096]);
});
