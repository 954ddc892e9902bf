import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Producer, type SessionCredentials } from 'rocketmq-client-nodejs';
import type { AclUser } from '../src/auth/acl.js';
import { authorizationHeader, parseAuthorizationHeader, sign } from '../src/auth/authorization-header.js';
import { createAuthenticator } from '../src/auth/authenticator.js';
import { formatRequestDateTime, parseRequestDateTime } from '../src/auth/request-date-time.js';
import { Secret } from '../src/auth/secret.js';
import { DEFAULT_MAX_CLOCK_SKEW_MS, verifyCredentials, type CredentialHeaders, type VerifyOptions } from '../src/auth/verify.js';
import { AuthenticationError, type AuthenticationFailure } from '../src/errors.js';

const SECRET = 'orders-secret-7f3a';
const user: AclUser = { accessKey: 'orders-app', secret: new Secret(SECRET), topics: [], groups: [], admin: false };
const lookup = (accessKey: string) => (accessKey === user.accessKey ? user : undefined);

/** The official client's default logger writes files under ~/logs and keeps the process alive. */
const quietLogger = { info() {}, warn() {}, error() {}, debug() {} };

/** The official client, made only to build its request headers: it never connects. */
class HeaderProbe extends Producer {
  close(): void {
    this.rpcClientManager.close();
  }
}

/** The `authorization` and `x-mq-date-time` headers the official Node client sends with `credentials`. */
function officialHeaders(sessionCredentials: SessionCredentials): { authorization: string; dateTime: string; token: unknown } {
  const probe = new HeaderProbe({ endpoints: '127.0.0.1:1', namespace: '', sessionCredentials, logger: quietLogger });
  try {
    const metadata = probe.getRequestMetadata();
    return {
      authorization: metadata.get('authorization')[0] as string,
      dateTime: metadata.get('x-mq-date-time')[0] as string,
      token: metadata.get('x-mq-session-token')[0],
    };
  } finally {
    probe.close();
  }
}

function refusal(headers: CredentialHeaders, options: Partial<VerifyOptions> & { now: () => number }): AuthenticationError {
  const result = verifyCredentials(headers, { lookup, ...options });
  assert.equal(result.ok, false, 'expected a refusal');
  return (result as { error: AuthenticationError }).error;
}

function assertRefused(error: AuthenticationError, reason: AuthenticationFailure, messagePart: RegExp): void {
  assert.ok(error instanceof AuthenticationError);
  assert.equal(error.reason, reason);
  assert.equal(error.code, 'UNAUTHORIZED');
  assert.equal(error.status, 40100);
  assert.match(error.message, messagePart);
  assert.ok(!error.message.includes(SECRET), 'the message must not contain the secret');
}

test('the signature is upper-case hex HMAC-SHA1 of x-mq-date-time keyed by the secret (known vector)', () => {
  assert.equal(sign('20261121T021456Z', 'SK1'), '8994A7303BBA94C5AE89FDE4039434AF20FB0AB7');
  assert.equal(
    authorizationHeader('AK1', 'SK1', '20261121T021456Z'),
    'MQv2-HMAC-SHA1 Credential=AK1, SignedHeaders=x-mq-date-time, Signature=8994A7303BBA94C5AE89FDE4039434AF20FB0AB7',
  );
});

test('x-mq-date-time is UTC yyyyMMddTHHmmssZ; anything else, or an impossible date, is not one', () => {
  const at = Date.UTC(2026, 10, 21, 2, 14, 56, 789);
  assert.equal(formatRequestDateTime(at), '20261121T021456Z');
  assert.equal(parseRequestDateTime('20261121T021456Z'), Date.UTC(2026, 10, 21, 2, 14, 56));
  for (const bad of ['2026-11-21T02:14:56Z', '20261121T021456', '20261321T021456Z', '20260230T000000Z', '20261121T246000Z', '']) {
    assert.equal(parseRequestDateTime(bad), undefined, bad);
  }
});

test('headers built by the official Node client with sessionCredentials verify, and name the user', () => {
  const { authorization, dateTime } = officialHeaders({ accessKey: 'orders-app', accessSecret: SECRET });
  assert.match(authorization, /^MQv2-HMAC-SHA1 Credential=orders-app, SignedHeaders=x-mq-date-time, Signature=[0-9A-F]{40}$/);
  const signedAt = parseRequestDateTime(dateTime)!;
  const parsed = parseAuthorizationHeader(authorization);
  assert.equal(parsed.accessKey, 'orders-app');
  assert.deepEqual(parsed.signedHeaders, ['x-mq-date-time']);
  assert.equal(parsed.signature.length, 20);
  const result = verifyCredentials({ authorization, dateTime }, { lookup, now: () => signedAt + 1000 });
  assert.deepEqual(result, { ok: true, user });
});

test('a security token (x-mq-session-token) is sent apart and does not change the signature; it is not checked', () => {
  const { authorization, dateTime, token } = officialHeaders({ accessKey: 'orders-app', accessSecret: SECRET, securityToken: 'sts-token' });
  assert.equal(token, 'sts-token');
  assert.ok(!authorization.includes('sts-token'));
  assert.equal(verifyCredentials({ authorization, dateTime }, { lookup, now: () => parseRequestDateTime(dateTime)! }).ok, true);
});

test('a wrong secret is bad-signature, naming the access key but not the signature', () => {
  const { authorization, dateTime } = officialHeaders({ accessKey: 'orders-app', accessSecret: 'not-the-secret' });
  const error = refusal({ authorization, dateTime }, { now: () => parseRequestDateTime(dateTime)! });
  assertRefused(error, 'bad-signature', /access key "orders-app".*wrong secret/);
  assert.ok(!error.message.includes(parseAuthorizationHeader(authorization).signature.toString('hex').toUpperCase()));
});

test('an access key nobody configured is unknown-access-key', () => {
  const { authorization, dateTime } = officialHeaders({ accessKey: 'intruder', accessSecret: SECRET });
  assertRefused(refusal({ authorization, dateTime }, { now: () => parseRequestDateTime(dateTime)! }), 'unknown-access-key', /unknown access key "intruder"/);
  // The anonymous user has no secret: it cannot be signed in as.
  const anonymous: AclUser = { accessKey: 'anonymous', secret: undefined, topics: [], groups: [], admin: true };
  const signed = authorizationHeader('anonymous', '', '20261121T021456Z');
  const error = verifyCredentials({ authorization: signed, dateTime: '20261121T021456Z' }, { lookup: () => anonymous, now: () => parseRequestDateTime('20261121T021456Z')! });
  assert.equal(!error.ok && error.error.reason, 'unknown-access-key');
});

test('a correctly signed time more than the allowed skew away, either way, is clock-skew; at the bound it passes', () => {
  const dateTime = '20261121T021456Z';
  const signedAt = parseRequestDateTime(dateTime)!;
  const headers = { authorization: authorizationHeader('orders-app', SECRET, dateTime), dateTime };
  assert.equal(DEFAULT_MAX_CLOCK_SKEW_MS, 15 * 60_000);
  assert.equal(verifyCredentials(headers, { lookup, now: () => signedAt + DEFAULT_MAX_CLOCK_SKEW_MS }).ok, true);
  assert.equal(verifyCredentials(headers, { lookup, now: () => signedAt - DEFAULT_MAX_CLOCK_SKEW_MS }).ok, true);
  assertRefused(refusal(headers, { now: () => signedAt + DEFAULT_MAX_CLOCK_SKEW_MS + 1000 }), 'clock-skew', /signed at 20261121T021456Z, 901 s ago/);
  assertRefused(refusal(headers, { now: () => signedAt - 3_600_000 }), 'clock-skew', /3600 s ahead/);
  assertRefused(refusal(headers, { now: () => signedAt + 61_000, maxSkewMs: 60_000 }), 'clock-skew', /at most 60 s allowed/);
  // A stream's later commands carry the time it opened at: freshness is not checked for them.
  assert.equal(verifyCredentials(headers, { lookup, now: () => signedAt + 86_400_000, checkFreshness: false }).ok, true);
  // Only a correct signature learns that its time is off.
  const forged = { authorization: authorizationHeader('orders-app', 'guess', dateTime), dateTime };
  assert.equal(refusal(forged, { now: () => signedAt + 86_400_000 }).reason, 'bad-signature');
});

test('no authorization header is no-credentials, even with a date', () => {
  assertRefused(refusal({ authorization: undefined, dateTime: '20261121T021456Z' }, { now: Date.now }), 'no-credentials', /no authorization header/);
  assertRefused(refusal({ authorization: '', dateTime: undefined }, { now: Date.now }), 'no-credentials', /no credentials/);
  assertRefused(refusal({ authorization: [], dateTime: [] }, { now: Date.now }), 'no-credentials', /no credentials/);
});

test('malformed headers are refused as malformed, saying what is wrong without quoting the signature', () => {
  const dateTime = '20261121T021456Z';
  const good = authorizationHeader('orders-app', SECRET, dateTime);
  const signature = sign(dateTime, SECRET);
  const now = () => parseRequestDateTime(dateTime)!;
  const cases: [CredentialHeaders, RegExp][] = [
    [{ authorization: good, dateTime: undefined }, /x-mq-date-time header is missing/],
    [{ authorization: good, dateTime: '2026-11-21T02:14:56Z' }, /x-mq-date-time must be UTC yyyyMMddTHHmmssZ/],
    [{ authorization: [good, good], dateTime }, /authorization header is sent 2 times/],
    [{ authorization: 'garbage', dateTime }, /it must be "<algorithm> Credential=/],
    [{ authorization: good.replace('MQv2-HMAC-SHA1', 'MQv2-HMAC-SHA256'), dateTime }, /algorithm must be MQv2-HMAC-SHA1, got "MQv2-HMAC-SHA256"/],
    [{ authorization: good.replace('Signature=', 'Signature '), dateTime }, /field 3 after the algorithm is not key=value/],
    [{ authorization: `MQv2-HMAC-SHA1 SignedHeaders=x-mq-date-time, Signature=${signature}`, dateTime }, /the Credential field is missing/],
    [{ authorization: `MQv2-HMAC-SHA1 Credential=/region, SignedHeaders=x-mq-date-time, Signature=${signature}`, dateTime }, /Credential has no access key/],
    [{ authorization: `MQv2-HMAC-SHA1 Credential=orders-app, Signature=${signature}`, dateTime }, /the SignedHeaders field is missing/],
    [{ authorization: good.replace('x-mq-date-time', 'x-mq-date-time;host'), dateTime }, /SignedHeaders must be x-mq-date-time/],
    [{ authorization: `MQv2-HMAC-SHA1 Credential=orders-app, SignedHeaders=x-mq-date-time`, dateTime }, /the Signature field is missing/],
    [{ authorization: good.replace(/Signature=.*/, 'Signature=ABCD'), dateTime }, /Signature must be 40 hex digits/],
    [{ authorization: `${good}, Credential=other`, dateTime }, /the field "Credential" appears twice/],
  ];
  for (const [headers, message] of cases) {
    const error = refusal(headers, { now });
    assertRefused(error, 'malformed', message);
    assert.ok(!error.message.includes(signature), error.message);
  }
});

test('what RocketMQ accepts also passes: lower-case hex, extra Credential parts after "/", spaces around fields', () => {
  const dateTime = '20261121T021456Z';
  const signature = sign(dateTime, SECRET).toLowerCase();
  const authorization = `MQv2-HMAC-SHA1 Credential=orders-app/region/channel ,SignedHeaders=X-MQ-Date-Time,  Signature=${signature}`;
  assert.equal(verifyCredentials({ authorization, dateTime }, { lookup, now: () => parseRequestDateTime(dateTime)! }).ok, true);
});

test('the authenticator lets unsigned calls in as anonymous only when not required, and never downgrades a bad signature', () => {
  const anonymous: AclUser = { accessKey: 'anonymous', secret: undefined, topics: [], groups: [], admin: false };
  const users = new Map([[user.accessKey, user]]);
  const dateTime = '20261121T021456Z';
  const now = () => parseRequestDateTime(dateTime)!;
  const signed = { authorization: authorizationHeader('orders-app', SECRET, dateTime), dateTime };
  const forged = { authorization: authorizationHeader('orders-app', 'guess', dateTime), dateTime };
  const unsigned = { authorization: undefined, dateTime };

  const strict = createAuthenticator({ required: true, users, anonymous: undefined }, { now });
  assert.equal(strict.authenticate(signed), user);
  assert.throws(() => strict.authenticate(unsigned), (e: unknown) => e instanceof AuthenticationError && e.reason === 'no-credentials');

  const open = createAuthenticator({ required: false, users, anonymous }, { now });
  assert.equal(open.authenticate(unsigned), anonymous);
  assert.equal(open.authenticate({ authorization: [''], dateTime: undefined }), anonymous);
  assert.equal(open.authenticate(signed), user);
  assert.throws(() => open.authenticate(forged), (e: unknown) => e instanceof AuthenticationError && e.reason === 'bad-signature');

  const skewed = createAuthenticator({ required: true, users, anonymous: undefined }, { now: () => now() + 120_000, maxSkewMs: 60_000 });
  assert.throws(() => skewed.authenticate(signed), (e: unknown) => e instanceof AuthenticationError && e.reason === 'clock-skew');
  assert.equal(skewed.authenticate(signed, { fresh: false }), user);
});
