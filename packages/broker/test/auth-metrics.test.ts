import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { AuthFailures } from '../src/auth/auth-failures.js';
import { AuthenticationError } from '../src/errors.js';
import { countAuthFailures } from '../src/http/auth-metrics.js';

test('txmq_auth_failures_total counts refusals by reason, every reason present from the start', async () => {
  const registry = new Registry();
  const failures = new AuthFailures({ warn: () => undefined });
  const stop = countAuthFailures(registry, failures);
  const source = { surface: 'grpc', operation: 'QueryRoute' };
  failures.report(new AuthenticationError('bad-signature', 'wrong secret'), undefined, source);
  failures.report(new AuthenticationError('bad-signature', 'wrong secret'), undefined, source);
  failures.report(new AuthenticationError('no-credentials', 'none'), undefined, source);
  const text = await registry.metrics();
  assert.match(text, /^txmq_auth_failures_total\{reason="bad-signature"\} 2$/m);
  assert.match(text, /^txmq_auth_failures_total\{reason="no-credentials"\} 1$/m);
  assert.match(text, /^txmq_auth_failures_total\{reason="clock-skew"\} 0$/m);
  stop();
  failures.report(new AuthenticationError('no-credentials', 'none'), undefined, source);
  assert.match(await registry.metrics(), /^txmq_auth_failures_total\{reason="no-credentials"\} 1$/m);
});
