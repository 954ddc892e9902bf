import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeReceiptHandle, encodeReceiptHandle } from '../src/core/receipt-handle.js';
import { InvalidRequestError } from '../src/errors.js';

test('a receipt handle round-trips and is URL-safe', () => {
  const handle = { subscription: 7, offset: 123_456_789, seq: 1_700_000_000_000_123 };
  const text = encodeReceiptHandle(handle);
  assert.match(text, /^[A-Za-z0-9._-]+$/);
  assert.deepEqual(decodeReceiptHandle(text), handle);
});

test('a malformed receipt handle is INVALID_RECEIPT_HANDLE', () => {
  for (const text of ['', 'r2.1.2', 'r2.1.2.3.4', 'r1.1.2.3', 'r2.1.-2.3', 'r2.1.2.zzzzzzzzzzzz', 'WzEsIkciLCJ0IiwyLDE3MDAwMDAwMTAwMDAwMDFd']) {
    assert.throws(() => decodeReceiptHandle(text), (error: unknown) => error instanceof InvalidRequestError && error.code === 'INVALID_RECEIPT_HANDLE', text);
  }
});
