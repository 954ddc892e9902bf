import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageIdFactory } from '../src/client/producer/message-id.js';

const sequenceOf = (id: string) => Number.parseInt(id.slice(-8), 16);

test("message ids follow RocketMQ's layout: version, MAC, pid, seconds since 2021, sequence", () => {
  const now = Date.UTC(2021, 0, 1) + 0x1234 * 1000 + 500;
  const factory = new MessageIdFactory({ mac: Buffer.from('a1b2c3d4e5f6', 'hex'), pid: 0x12345, now: () => now });
  const [a, b] = [factory.next(), factory.next()];
  assert.equal(a.slice(0, 26), '01A1B2C3D4E5F6234500001234');
  assert.equal(sequenceOf(b), (sequenceOf(a) + 1) >>> 0);
  const real = new MessageIdFactory();
  const ids = new Set(Array.from({ length: 1000 }, () => real.next()));
  assert.equal(ids.size, 1000);
  assert.ok([...ids].every((id) => /^01[0-9A-F]{32}$/.test(id)));
});

test('two factories of one process (two producers) never make the same id', () => {
  const options = { mac: Buffer.from('a1b2c3d4e5f6', 'hex'), pid: 7, now: () => Date.UTC(2025, 0, 1) };
  const first = new MessageIdFactory(options);
  const second = new MessageIdFactory(options);
  const ids = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? first : second).next());
  assert.equal(new Set(ids).size, ids.length);
});
