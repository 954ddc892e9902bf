import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageIdFactory } from '../src/client/producer/message-id.js';

test("message ids follow RocketMQ's layout: version, MAC, pid, seconds since 2021, sequence", () => {
  const now = Date.UTC(2021, 0, 1) + 0x1234 * 1000 + 500;
  const factory = new MessageIdFactory({ mac: Buffer.from('a1b2c3d4e5f6', 'hex'), pid: 0x12345, now: () => now });
  assert.equal(factory.next(), '01A1B2C3D4E5F6234500001234' + '00000000');
  assert.equal(factory.next(), '01A1B2C3D4E5F6234500001234' + '00000001');
  const real = new MessageIdFactory();
  const ids = new Set(Array.from({ length: 1000 }, () => real.next()));
  assert.equal(ids.size, 1000);
  assert.ok([...ids].every((id) => /^01[0-9A-F]{32}$/.test(id)));
});
