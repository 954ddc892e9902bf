import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { pino } from 'pino';
import { authorizationHeader, sign } from '../src/auth/authorization-header.js';
import { LOG_REDACT, REDACTED, accessKeyOf, authFailureLogFields } from '../src/auth/redact.js';
import { Secret } from '../src/auth/secret.js';
import { verifyCredentials } from '../src/auth/verify.js';

const SECRET = 'redact-me-4b1e';
const DATE = '20261121T021456Z';
const SIGNATURE = sign(DATE, SECRET);
const AUTHORIZATION = authorizationHeader('orders-app', SECRET, DATE);

function capture(): { log: pino.Logger; text: () => string } {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { log: pino({ redact: LOG_REDACT }, sink), text: () => text };
}

test('a logger with LOG_REDACT writes no header, secret, token or signature, at the top or one level down', () => {
  const { log, text } = capture();
  log.info({ authorization: AUTHORIZATION, secret: SECRET, signature: SIGNATURE, 'x-mq-session-token': 'sts-1' }, 'top level');
  log.info({ metadata: { authorization: AUTHORIZATION, 'x-mq-date-time': DATE }, user: { accessKey: 'orders-app', secret: SECRET } }, 'nested');
  log.info({ options: { sessionCredentials: { accessKey: 'orders-app', accessSecret: SECRET } }, client: { accessSecret: SECRET, securityToken: 'sts-2' } }, 'client options');
  log.info({ held: new Secret(SECRET) }, 'a Secret anywhere');
  const output = text();
  for (const leak of [SECRET, SIGNATURE, 'sts-1', 'sts-2', 'Signature=']) assert.ok(!output.includes(leak), `log output contains ${leak}:\n${output}`);
  assert.equal(output.split('\n').filter(Boolean).length, 4);
  assert.ok(output.includes(REDACTED));
  assert.ok(output.includes('"x-mq-date-time":"20261121T021456Z"'), 'what is not a credential stays');
});

test('a Secret shows as redacted however it is turned into text', () => {
  const secret = new Secret(SECRET);
  assert.equal(secret.reveal(), SECRET);
  for (const text of [JSON.stringify({ secret }), String(secret), `${secret}`, inspect({ secret }), inspect(secret)]) {
    assert.ok(!text.includes(SECRET), text);
    assert.ok(text.includes(REDACTED), text);
  }
});

test('a refused attempt is logged with its reason and access key only', () => {
  const result = verifyCredentials({ authorization: authorizationHeader('orders-app', 'wrong', DATE), dateTime: DATE }, { lookup: () => undefined, now: () => 0 });
  assert.equal(result.ok, false);
  if (result.ok) return;
  const fields = authFailureLogFields(result.error, AUTHORIZATION);
  assert.deepEqual(fields, { reason: 'unknown-access-key', accessKey: 'orders-app', message: 'unknown access key "orders-app"' });
  assert.equal(accessKeyOf('MQv2-HMAC-SHA1 Credential=ak/region, SignedHeaders=x-mq-date-time, Signature=AB'), 'ak');
  assert.equal(accessKeyOf('garbage'), undefined);
  assert.equal(accessKeyOf(undefined), undefined);
  assert.deepEqual(authFailureLogFields(result.error, undefined), { reason: 'unknown-access-key', message: 'unknown access key "orders-app"' });
});
