import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthFailures } from '../src/auth/auth-failures.js';
import type { AclUser } from '../src/auth/acl.js';
import { ClientIdBindings } from '../src/auth/client-id-bindings.js';
import { AuthenticationError, PermissionDeniedError } from '../src/errors.js';
import { testClock } from './helpers.js';

function recorder() {
  const lines: { fields: Record<string, unknown>; message: string }[] = [];
  return { lines, log: { warn: (fields: object, message: string) => lines.push({ fields: fields as Record<string, unknown>, message }) } };
}

const header = (accessKey: string) => `MQv2-HMAC-SHA1 Credential=${accessKey}, SignedHeaders=x-mq-date-time, Signature=${'AB'.repeat(20)}`;
const wrong = (accessKey: string) => new AuthenticationError('bad-signature', `the signature for access key "${accessKey}" does not match: wrong secret`);
const source = { surface: 'grpc', operation: 'SendMessage', peer: 'ipv4:127.0.0.1:5000' };

test('every refusal is counted by reason and told to the listeners; a flood of the same one logs one line per window, then says how many', () => {
  const clock = testClock();
  const { lines, log } = recorder();
  const failures = new AuthFailures(log, { now: clock.now });
  const heard: string[] = [];
  const stop = failures.onFailure((reason, from) => heard.push(`${reason}@${from.operation}`));
  for (let i = 0; i < 100; i++) failures.report(wrong('app'), header('app'), source);
  assert.equal(failures.counts.get('bad-signature'), 100);
  assert.equal(heard.length, 100);
  assert.equal(heard[0], 'bad-signature@SendMessage');
  assert.equal(lines.length, 1);
  assert.deepEqual(lines[0], {
    message: 'authentication refused',
    fields: { reason: 'bad-signature', accessKey: 'app', message: 'the signature for access key "app" does not match: wrong secret', surface: 'grpc', operation: 'SendMessage', peer: 'ipv4:127.0.0.1:5000' },
  });
  assert.ok(!JSON.stringify(lines).includes('ABAB'), 'no signature logged');

  clock.advance(9_999);
  failures.report(wrong('app'), header('app'), source);
  assert.equal(lines.length, 1, 'still the same window');
  clock.advance(1);
  failures.report(wrong('app'), header('app'), source);
  assert.equal(lines.length, 2);
  assert.equal(lines[1]!.fields.repeated, 100, 'the line counts the refusals left out since the last one');
  stop();
  failures.report(new AuthenticationError('no-credentials', 'no credentials'), undefined, source);
  assert.equal(heard.length, 102, 'a stopped listener hears nothing more');
  assert.equal(lines.length, 3, 'another reason has a line of its own');
  assert.equal(lines[2]!.fields.accessKey, undefined);
});

test('access keys chosen by the caller cannot fill the log: at most maxLinesPerWindow lines, then one line saying how many were dropped', () => {
  const clock = testClock();
  const { lines, log } = recorder();
  const failures = new AuthFailures(log, { now: clock.now, maxLinesPerWindow: 5 });
  for (let i = 0; i < 50; i++) failures.report(new AuthenticationError('unknown-access-key', `unknown access key "k${i}"`), header(`k${i}`), source);
  assert.equal(lines.length, 5);
  assert.equal(failures.counts.get('unknown-access-key'), 50);
  clock.advance(10_000);
  failures.report(new AuthenticationError('unknown-access-key', 'unknown access key "z"'), header('z'), source);
  assert.deepEqual(lines.slice(5).map((l) => [l.message, l.fields.dropped ?? l.fields.accessKey]), [
    ['more authentication refusals than are logged per window', 45],
    ['authentication refused', 'z'],
  ]);
});

const user = (accessKey: string): AclUser => ({ accessKey, secret: undefined, topics: [], groups: [], admin: false });

test('a client id stays with its first user; past the capacity the oldest binding is forgotten', () => {
  const bindings = new ClientIdBindings(2);
  bindings.claim('c1', user('a'));
  bindings.claim('c1', user('a'));
  assert.throws(() => bindings.claim('c1', user('b')), (e: unknown) => e instanceof PermissionDeniedError && e.status === 40300 && /client id "c1" is already used by another user/.test(e.message) && !e.message.includes('"a"'));
  bindings.claim('c2', user('b'));
  bindings.claim('c3', user('b'));
  bindings.claim('c1', user('b')); // c1 was the oldest: forgotten
  assert.throws(() => bindings.claim('c3', user('a')), PermissionDeniedError);
});
