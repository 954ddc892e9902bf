import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FULL, parseArgs, QUICK } from '../profile.js';

test('no arguments is the quick profile, all parts, all systems', () => {
  assert.deepEqual(parseArgs([]), { profile: QUICK, parts: undefined, systems: undefined, out: undefined });
});

test('--full, --parts, --systems, --out and numeric overrides', () => {
  const { profile, parts, systems, out } = parseArgs(['--full', '--parts=throughput,latency', '--systems=txmq,nats', '--out=/tmp/x.json', '--inFlight=64']);
  assert.equal(profile.name, 'full');
  assert.equal(profile.backlog, FULL.backlog);
  assert.equal(profile.inFlight, 64);
  assert.deepEqual(parts, ['throughput', 'latency']);
  assert.deepEqual(systems, ['txmq', 'nats']);
  assert.equal(out, '/tmp/x.json');
});

test('unknown or malformed arguments are refused, naming them', () => {
  assert.throws(() => parseArgs(['--fast']), /unknown argument "--fast"/);
  assert.throws(() => parseArgs(['--inflight=3']), /unknown setting --inflight/);
  assert.throws(() => parseArgs(['--inFlight=many']), /--inFlight must be a non-negative number/);
  assert.throws(() => parseArgs(['--name=full']), /unknown setting --name/);
});
