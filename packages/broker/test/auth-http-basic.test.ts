import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AclUser } from '../src/auth/acl.js';
import { verifyBasicAuthorization } from '../src/auth/http-basic.js';
import { Secret } from '../src/auth/secret.js';

const SECRET = 'console-secret-2c9d';
const ops: AclUser = { accessKey: 'ops', secret: new Secret(SECRET), topics: [], groups: [], admin: true };
const anonymous: AclUser = { accessKey: 'anonymous', secret: undefined, topics: [], groups: [], admin: true };
const lookup = (accessKey: string) => ({ ops, anonymous })[accessKey];
const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

test('Basic access-key:secret verifies, the secret may contain ":"', () => {
  assert.deepEqual(verifyBasicAuthorization(basic(`ops:${SECRET}`), lookup), { ok: true, user: ops });
  const colons: AclUser = { ...ops, secret: new Secret('a:b:c') };
  assert.equal(verifyBasicAuthorization(basic('ops:a:b:c'), () => colons).ok, true);
});

test('each refusal has its reason and never quotes the secret', () => {
  const cases: [string | undefined, string, RegExp][] = [
    [undefined, 'no-credentials', /no Authorization header/],
    ['', 'no-credentials', /no Authorization header/],
    ['Bearer abc', 'malformed', /must be "Basic <base64 of access-key:secret>"/],
    [basic(SECRET), 'malformed', /must be "access-key:secret"/],
    [basic(`:${SECRET}`), 'malformed', /must be "access-key:secret"/],
    [basic(`intruder:${SECRET}`), 'unknown-access-key', /unknown access key "intruder"/],
    [basic('anonymous:'), 'unknown-access-key', /unknown access key "anonymous"/],
    [basic('ops:wrong'), 'bad-signature', /secret given for access key "ops" is wrong/],
    [basic(`ops:${SECRET}x`), 'bad-signature', /is wrong/],
  ];
  for (const [header, reason, message] of cases) {
    const result = verifyBasicAuthorization(header, lookup);
    assert.equal(result.ok, false, String(header));
    if (result.ok) continue;
    assert.equal(result.error.reason, reason, String(header));
    assert.match(result.error.message, message);
    assert.ok(!result.error.message.includes(SECRET));
  }
});
