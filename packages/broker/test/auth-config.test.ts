import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { inspect } from 'node:util';
import { resolveAcl } from '../src/auth/acl-config.js';
import { ConfigError } from '../src/errors.js';

const INLINE = 'inline-secret-93af';
const FROM_ENV = 'env-secret-51bc';
const FROM_FILE = 'file-secret-07de';
const env = { ORDERS_APP_SECRET: FROM_ENV, EMPTY: '' };
const dir = mkdtempSync(join(tmpdir(), 'txmq-acl-'));
writeFileSync(join(dir, 'reports.secret'), `${FROM_FILE}\n`);
writeFileSync(join(dir, 'empty.secret'), '\n');
after(() => rmSync(dir, { recursive: true, force: true }));

/** Every way a secret could leak into a message. */
function assertNoSecret(text: string): void {
  for (const secret of [INLINE, FROM_ENV, FROM_FILE]) assert.ok(!text.includes(secret), `"${text}" contains a secret`);
}

function configError(raw: unknown): ConfigError {
  try {
    resolveAcl(raw, { env, baseDir: dir });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    assertNoSecret(error.message);
    return error;
  }
  assert.fail('expected a ConfigError');
}

test('no acl key: an open broker', () => {
  assert.equal(resolveAcl(undefined), undefined);
});

test('the documented shape resolves; required defaults to true; secrets come inline, from env or a file', () => {
  const acl = resolveAcl(
    {
      users: [
        { accessKey: 'orders-app', secretEnv: 'ORDERS_APP_SECRET', topics: { orders: ['pub', 'sub'], 'audit-*': ['pub'] }, groups: { billing: ['sub'] }, admin: false },
        { accessKey: 'reports', secretFile: 'reports.secret', topics: { '*': ['sub'] } },
        { accessKey: 'ops', secret: INLINE, admin: true },
      ],
    },
    { env, baseDir: dir },
  )!;
  assert.equal(acl.required, true);
  assert.equal(acl.anonymous, undefined);
  assert.deepEqual([...acl.users.keys()], ['orders-app', 'reports', 'ops']);
  const orders = acl.users.get('orders-app')!;
  assert.equal(orders.secret?.reveal(), FROM_ENV);
  assert.deepEqual(orders.topics.map((g) => [g.pattern, [...g.rights]]), [['orders', ['pub', 'sub']], ['audit-*', ['pub']]]);
  assert.deepEqual(orders.groups.map((g) => [g.pattern, [...g.rights]]), [['billing', ['sub']]]);
  assert.equal(orders.admin, false);
  assert.equal(acl.users.get('reports')!.secret?.reveal(), FROM_FILE, 'one trailing newline of a secret file is dropped');
  assert.equal(acl.users.get('ops')!.admin, true);
  assert.deepEqual(acl.users.get('ops')!.topics, []);
  // The resolved config can be logged or printed: no secret comes out.
  assertNoSecret(JSON.stringify({ ...acl, users: [...acl.users.values()] }));
  assertNoSecret(inspect(acl, { depth: 10 }));
  assertNoSecret(`${orders.secret}`);
});

test('required: false lets unsigned calls act as the user "anonymous", or as nobody with no rights', () => {
  const withAnonymous = resolveAcl({ required: false, users: [{ accessKey: 'anonymous', topics: { public: ['sub'] } }, { accessKey: 'a', secret: INLINE }] })!;
  assert.equal(withAnonymous.required, false);
  assert.equal(withAnonymous.anonymous?.accessKey, 'anonymous');
  assert.equal(withAnonymous.anonymous?.secret, undefined);
  assert.deepEqual(withAnonymous.anonymous?.topics.map((g) => g.pattern), ['public']);
  assert.deepEqual([...withAnonymous.users.keys()], ['a'], 'nobody signs in as anonymous');

  const without = resolveAcl({ required: false })!;
  assert.deepEqual(without.anonymous, { accessKey: 'anonymous', secret: undefined, topics: [], groups: [], admin: false });
  // With required (the default) the anonymous entry grants nothing: unsigned calls are refused.
  assert.equal(resolveAcl({ users: [{ accessKey: 'anonymous', topics: { public: ['sub'] } }] })!.anonymous, undefined);
});

test('invalid configs are ConfigErrors naming the key (and the user), never quoting a secret', () => {
  const cases: [unknown, string, RegExp][] = [
    [[], 'acl', /^acl must be an object$/],
    [{ required: 'yes' }, 'acl.required', /must be true or false/],
    [{ users: {} }, 'acl.users', /must be an array/],
    [{ users: [{ accessKey: 'a', secret: INLINE }], extra: 1 }, 'acl.extra', /unknown key "acl.extra"/],
    [{ users: ['a'] }, 'acl.users[0]', /acl.users\[0\] must be an object/],
    [{ users: [{ secret: INLINE }] }, 'acl.users[0].accessKey', /must be a non-empty string/],
    [{ users: [{ accessKey: 'a b', secret: INLINE }] }, 'acl.users[0].accessKey', /printable ASCII without spaces, "," or "\/"/],
    [{ users: [{ accessKey: 'a/b', secret: INLINE }] }, 'acl.users[0].accessKey', /printable ASCII/],
    [{ users: [{ accessKey: 'a', secret: INLINE, secrte: INLINE }] }, 'acl.users[0].secrte', /unknown key "acl.users\[0\].secrte"/],
    [{ users: [{ accessKey: 'a' }] }, 'acl.users[0]', /acl.users\[0\] \(user a\) needs one of secret, secretEnv, secretFile/],
    [{ users: [{ accessKey: 'a', secret: INLINE, secretEnv: 'ORDERS_APP_SECRET' }] }, 'acl.users[0]', /\(user a\) must have only one of secret, secretEnv/],
    [{ users: [{ accessKey: 'a', secret: '' }] }, 'acl.users[0].secret', /\(user a\) must be a non-empty string/],
    [{ users: [{ accessKey: 'a', secret: 42 }] }, 'acl.users[0].secret', /must be a non-empty string/],
    [{ users: [{ accessKey: 'a', secretEnv: 'NOPE' }] }, 'acl.users[0].secretEnv', /\(user a\) names the environment variable NOPE, which is not set or empty/],
    [{ users: [{ accessKey: 'a', secretEnv: 'EMPTY' }] }, 'acl.users[0].secretEnv', /EMPTY, which is not set or empty/],
    [{ users: [{ accessKey: 'a', secretFile: 'missing.secret' }] }, 'acl.users[0].secretFile', /\(user a\) cannot be read from .*missing\.secret: ENOENT/],
    [{ users: [{ accessKey: 'a', secretFile: 'empty.secret' }] }, 'acl.users[0].secretFile', /empty\.secret, which is empty/],
    [{ users: [{ accessKey: 'a', secret: INLINE, admin: 'yes' }] }, 'acl.users[0].admin', /\(user a\) must be true or false/],
    [{ users: [{ accessKey: 'a', secret: INLINE, topics: ['orders'] }] }, 'acl.users[0].topics', /must be an object of name or pattern -> rights/],
    [{ users: [{ accessKey: 'a', secret: INLINE, topics: { orders: ['write'] } }] }, 'acl.users[0].topics.orders', /must be a non-empty list of "pub", "sub"/],
    [{ users: [{ accessKey: 'a', secret: INLINE, topics: { orders: [] } }] }, 'acl.users[0].topics.orders', /non-empty list/],
    [{ users: [{ accessKey: 'a', secret: INLINE, topics: { orders: 'pub' } }] }, 'acl.users[0].topics.orders', /non-empty list/],
    [{ users: [{ accessKey: 'a', secret: INLINE, groups: { billing: ['pub'] } }] }, 'acl.users[0].groups.billing', /must be a non-empty list of "sub"$/],
    [{ users: [{ accessKey: 'a', secret: INLINE, topics: { 'orders.*': ['pub'] } }] }, 'acl.users[0].topics.orders.*', /is not a name or pattern/],
    [{ users: [{ accessKey: 'a', secret: INLINE }, { accessKey: 'a', secret: INLINE }] }, 'acl.users[1].accessKey', /"a" is configured twice/],
    [{ users: [{ accessKey: 'anonymous' }, { accessKey: 'anonymous' }] }, 'acl.users[1].accessKey', /"anonymous" is configured twice/],
    [{ users: [{ accessKey: 'anonymous', secret: INLINE }] }, 'acl.users[0].secret', /\(user anonymous\) is not allowed: unsigned calls act as the anonymous user/],
  ];
  for (const [raw, option, message] of cases) {
    const error = configError(raw);
    assert.equal(error.option, option, error.message);
    assert.match(error.message, message);
  }
});
