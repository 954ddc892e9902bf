import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { AclUser } from '../src/auth/acl.js';
import { Secret } from '../src/auth/secret.js';
import { verifyCredentials } from '../src/auth/verify.js';
import { createProducer } from '../src/client/producer.js';
import { requestMetadata } from '../src/client/session/metadata.js';
import { transportMismatch } from '../src/client/transport-probe.js';
import { ConfigError } from '../src/errors.js';

const SECRET = 'the-secret-value';
const user: AclUser = { accessKey: 'app', secret: new Secret(SECRET), topics: [], groups: [], admin: false };

test('with credentials, every call\'s headers carry an authorization the broker verifies, over that call\'s own x-mq-date-time', () => {
  const credentials = { accessKey: 'app', secret: new Secret(SECRET) };
  const at = new Date('2026-11-21T02:14:56.789Z');
  const metadata = requestMetadata('client-1', '', at, credentials);
  assert.equal(metadata.get('x-mq-date-time')[0], '20261121T021456Z');
  const authorization = metadata.get('authorization')[0] as string;
  assert.match(authorization, /^MQv2-HMAC-SHA1 Credential=app, SignedHeaders=x-mq-date-time, Signature=[0-9A-F]{40}$/);
  const result = verifyCredentials({ authorization, dateTime: metadata.get('x-mq-date-time')[0] as string }, { lookup: () => user, now: () => at.getTime() });
  assert.ok(result.ok);
  const later = requestMetadata('client-1', '', new Date(at.getTime() + 1000), credentials);
  assert.notEqual(later.get('authorization')[0], authorization, 'signed anew per call');
  assert.deepEqual(requestMetadata('client-1', '', at).get('authorization'), [], 'no credentials, no header');
});

test('credentials and TLS options are checked when the client is created; errors never quote the secret', () => {
  const bad: [object, RegExp][] = [
    [{ credentials: 'app:secret' }, /credentials: must be \{ accessKey, accessSecret \}/],
    [{ credentials: { accessKey: 'a b', accessSecret: SECRET } }, /credentials.accessKey: must be a non-empty string of printable ASCII/],
    [{ credentials: { accessKey: 'app', accessSecret: '' } }, /credentials.accessSecret: must be a non-empty string/],
    [{ credentials: { accessKey: 'app', accessSecret: SECRET, token: SECRET } }, /credentials: has unknown keys token/],
    [{ sslEnabled: 'yes' }, /sslEnabled: must be true or false/],
    [{ tlsRootCertFile: '/nonexistent/ca.pem' }, /tlsRootCertFile: cannot be read from \/nonexistent\/ca.pem: ENOENT/],
    [{ tlsRootCertFile: 'ca.pem', sslEnabled: false }, /tlsRootCertFile: is a TLS option, but sslEnabled is false/],
  ];
  for (const [options, message] of bad) {
    assert.throws(() => createProducer({ endpoints: '127.0.0.1:1', ...options }), (e: unknown) => e instanceof ConfigError && message.test(e.message) && !e.message.includes(SECRET), JSON.stringify(options));
  }
});

let plaintext: Server;
let port: number;
before(async () => {
  plaintext = new Server();
  port = await new Promise<number>((resolve, reject) => plaintext.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
});
after(() => plaintext.forceShutdown());

test('a TLS client facing a plaintext port learns that it does not speak TLS; a plaintext client there, and nothing listening, give no verdict', async () => {
  assert.match((await transportMismatch(`127.0.0.1:${port}`, true)) ?? '', /it does not speak TLS: create the client without sslEnabled/);
  assert.equal(await transportMismatch(`127.0.0.1:${port}`, false), undefined);
  const closed = new Server();
  const unused = await new Promise<number>((resolve, reject) => closed.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  closed.forceShutdown();
  assert.equal(await transportMismatch(`127.0.0.1:${unused}`, true), undefined);
});
