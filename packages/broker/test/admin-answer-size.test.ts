import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AdminPage, StoredMessageInfo } from '../src/client/admin-types.js';
import { createBrokerAdmin } from '../src/client/broker-admin.js';
import { FakeAdminBackend, message, startFakeAdminServer } from './fake-admin-backend.js';

const FRAME = 64 * 1024 + 1024 * 1024;

let backend: FakeAdminBackend;
let server: Awaited<ReturnType<typeof startFakeAdminServer>>;
let admin: ReturnType<typeof createBrokerAdmin>;
before(async () => {
  backend = new FakeAdminBackend();
  server = await startFakeAdminServer(backend, { maxResponseBytes: FRAME });
  admin = createBrokerAdmin({ endpoints: server.endpoint, timeoutMs: 5000 });
});
after(async () => {
  await admin.close();
  await server.close();
});

/** Every page of `next`, from the first. */
async function allPages<T>(next: (pageToken?: string) => Promise<AdminPage<T>>): Promise<AdminPage<T>[]> {
  const pages = [await next()];
  while (pages.at(-1)!.nextPageToken) pages.push(await next(pages.at(-1)!.nextPageToken));
  return pages;
}

test('a page of messages whose properties exceed the frame ends early with a next-page token; nothing is lost', async () => {
  // 400 copies with 15 KB of properties each (6 MB): 1000 per page cannot fit a 1 MiB frame.
  const properties = { big: 'x'.repeat(7_000), wide: 'é'.repeat(4_000) };
  const saved = backend.messages;
  backend.messages = Array.from({ length: 400 }, (_, i) => message({ messageId: `B${i}`, offset: i, keys: ['bulk'], properties }));
  try {
    const pages = await allPages((pageToken) => admin.queryMessages({ topic: 'orders', key: 'bulk' }, { pageSize: 1000, ...(pageToken && { pageToken }) }));
    assert.ok(pages.length >= 6, `15 KB x 400 in answers of at most 1 MiB: ${pages.length} pages`);
    const ids = pages.flatMap((page) => page.items.map((m: StoredMessageInfo) => m.messageId));
    assert.deepEqual(ids, backend.messages.map((m) => m.messageId), 'every message once, in order');
    assert.ok(pages.every((page) => page.items.every((m) => !m.bodyTruncated)), 'previews are not cut to make room');
  } finally {
    backend.messages = saved;
  }
});

test('full bodies on a paged query: a body that does not fit whole starts the next page rather than coming cut', async () => {
  const body = Buffer.alloc(400 * 1024, 0x62);
  const saved = backend.messages;
  backend.messages = Array.from({ length: 5 }, (_, i) => message({ messageId: `F${i}`, offset: i, keys: ['full'], body }));
  try {
    const pages = await allPages((pageToken) => admin.queryMessages({ topic: 'orders', key: 'full' }, { fullBody: true, ...(pageToken && { pageToken }) }));
    assert.deepEqual(pages.map((page) => page.items.length), [2, 2, 1]);
    assert.ok(pages.every((page) => page.items.every((m) => m.body.length === body.length && !m.bodyTruncated)));
  } finally {
    backend.messages = saved;
  }
});

test('dead letters with large properties are paged to fit the frame too', async () => {
  const properties = { big: 'y'.repeat(15_000) };
  const saved = new Map(backend.deadLetters);
  backend.deadLetters.clear();
  for (let i = 0; i < 200; i += 1) {
    const copy = message({ messageId: `D${i}`, topic: '%DLQ%billing', offset: i, properties, deadLetter: { originTopic: 'orders', originMessageId: `D${i}` } });
    backend.deadLetters.set(`D${i}`, { group: 'billing', message: copy });
  }
  try {
    const pages = await allPages((pageToken) => admin.listDeadLetters('billing', { pageSize: 1000, ...(pageToken && { pageToken }) }));
    assert.ok(pages.length >= 3, `${pages.length} pages`);
    assert.equal(new Set(pages.flatMap((page) => page.items.map((d) => d.message.messageId))).size, 200);
  } finally {
    backend.deadLetters.clear();
    for (const [id, deadLetter] of saved) backend.deadLetters.set(id, deadLetter);
  }
});
