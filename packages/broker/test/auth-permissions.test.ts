import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AclUser, Grant, GroupRight, TopicRight } from '../src/auth/acl.js';
import { authorize, requirePermission, type Action } from '../src/auth/permissions.js';
import { matchesPattern } from '../src/auth/wildcard.js';
import { PermissionDeniedError } from '../src/errors.js';

function grant<R extends string>(pattern: string, ...rights: R[]): Grant<R> {
  return { pattern, rights: new Set(rights) };
}

const ordersApp: AclUser = {
  accessKey: 'orders-app',
  secret: undefined,
  topics: [grant<TopicRight>('orders', 'pub', 'sub'), grant<TopicRight>('audit-*', 'pub'), grant<TopicRight>('*-events', 'sub'), grant<TopicRight>('prod%payments', 'pub')],
  groups: [grant<GroupRight>('billing', 'sub'), grant<GroupRight>('reports-*', 'sub')],
  admin: false,
};
const operator: AclUser = { accessKey: 'ops', secret: undefined, topics: [], groups: [], admin: true };

test('* matches any run of characters (none included), anywhere, any number of times', () => {
  const cases: [string, string, boolean][] = [
    ['orders', 'orders', true],
    ['orders', 'orders2', false],
    ['orders', 'order', false],
    ['*', '', true],
    ['*', 'anything%at|all', true],
    ['audit-*', 'audit-', true],
    ['audit-*', 'audit-2026', true],
    ['audit-*', 'xaudit-2026', false],
    ['*-events', 'user-events', true],
    ['*-events', 'user-events-old', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXcYYb', false],
    ['a*b*c', 'abcbc', true],
    ['**', 'x', true],
    ['a*a*a*a*b', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', false],
    ['ns%*', 'ns%orders', true],
    ['*%orders', 'orders', false],
  ];
  for (const [pattern, name, expected] of cases) assert.equal(matchesPattern(pattern, name), expected, `${pattern} ~ ${name}`);
});

test('rights are the union of every matching grant: pub where granted pub, sub where granted sub', () => {
  const allowed: Action[] = [
    { kind: 'pub', topic: 'orders' },
    { kind: 'sub', topic: 'orders' },
    { kind: 'pub', topic: 'audit-2026' },
    { kind: 'sub', topic: 'user-events' },
    { kind: 'route', topic: 'audit-2026' },
    { kind: 'route', topic: 'user-events' },
    { kind: 'sub-group', group: 'billing' },
    { kind: 'sub-group', group: 'reports-daily' },
  ];
  for (const action of allowed) assert.deepEqual(authorize(ordersApp, action), { allowed: true }, JSON.stringify(action));
});

test('a refusal names the resource and the missing right', () => {
  const cases: [Action, string, string][] = [
    [{ kind: 'sub', topic: 'audit-2026' }, 'topic audit-2026', 'sub'],
    [{ kind: 'pub', topic: 'user-events' }, 'topic user-events', 'pub'],
    [{ kind: 'pub', topic: 'payments' }, 'topic payments', 'pub'],
    [{ kind: 'route', topic: 'payments' }, 'topic payments', 'pub or sub'],
    [{ kind: 'sub-group', group: 'billing-2' }, 'group billing-2', 'sub'],
    [{ kind: 'admin' }, 'the admin service', 'admin'],
  ];
  for (const [action, resource, right] of cases) {
    const decision = authorize(ordersApp, action);
    assert.equal(decision.allowed, false, JSON.stringify(action));
    if (decision.allowed) continue;
    assert.equal(decision.resource, resource);
    assert.equal(decision.right, right);
    assert.equal(decision.reason, `permission denied: user "orders-app" has no ${right} right on ${resource}`);
  }
});

test('namespaced names are matched whole: a grant for orders does not open ns%orders', () => {
  assert.equal(authorize(ordersApp, { kind: 'pub', topic: 'prod%orders' }).allowed, false);
  assert.equal(authorize(ordersApp, { kind: 'pub', topic: 'prod%payments' }).allowed, true);
  assert.equal(authorize(ordersApp, { kind: 'pub', topic: 'payments' }).allowed, false);
});

test('admin grants the admin service only; topic rights grant no admin', () => {
  assert.deepEqual(authorize(operator, { kind: 'admin' }), { allowed: true });
  assert.equal(authorize(operator, { kind: 'pub', topic: 'orders' }).allowed, false);
  assert.equal(authorize(operator, { kind: 'sub-group', group: 'billing' }).allowed, false);
});

test('requirePermission throws PermissionDeniedError with status FORBIDDEN (40300)', () => {
  assert.doesNotThrow(() => requirePermission(ordersApp, { kind: 'pub', topic: 'orders' }));
  assert.throws(
    () => requirePermission(ordersApp, { kind: 'sub', topic: 'audit-1' }),
    (error: unknown) =>
      error instanceof PermissionDeniedError &&
      error.code === 'FORBIDDEN' &&
      error.status === 40300 &&
      error.resource === 'topic audit-1' &&
      error.right === 'sub' &&
      /no sub right on topic audit-1/.test(error.message),
  );
});
