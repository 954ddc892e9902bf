// The secured-broker snippet of the @txmq/nest README (examples/nest-snippets/src/secure-app.module.ts)
// runs against a broker process with the broker README's users and a TLS certificate made here:
// the application's relay publishes an outbox row and its @OnMessage consumer receives it; with a
// wrong secret in the environment the application does not start, and says why.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { BrokerConfig } from '@txmq/broker';
import { OnMessage, TXMQ_OUTBOX } from '@txmq/nest';
import { decodeBody, type Outbox } from '@txmq/outbox';
import type { ReceivedMessage } from '@txmq/broker/client';
import { eventually, testDatabaseUrl } from '@txmq/test-support';
import { startBrokerProcess, type BrokerProcess } from './support/broker-process.js';
import { freshDatabase, type FreshDatabase } from './support/fresh-database.js';
import { codeBlocks, readRepoFile } from './support/readmes.js';

const ORDERS_APP_SECRET = `nest-snippet-${process.pid}-secret`;
const dir = mkdtempSync(join(tmpdir(), 'txmq-nest-secure-'));
let broker: BrokerProcess;
let database: FreshDatabase;

/** The broker README's users, without its `tls` (which names files of the config's folder: the flags name this test's). */
function securityConfig(): BrokerConfig {
  const [block] = codeBlocks(readRepoFile('packages/broker/README.md')).filter((b) => b.lang === 'json' && b.content.includes('"acl"'));
  const { tls: _tls, ...config } = JSON.parse(block!.content) as BrokerConfig;
  return { ...config, pushLongPollingMs: 1000 };
}

before(async () => {
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', join(dir, 'server-key.pem'), '-out', join(dir, 'server.pem'),
  ], { stdio: 'ignore' });
  [broker, database] = await Promise.all([
    startBrokerProcess({
      memory: true,
      logLevel: 'warn',
      config: securityConfig(),
      env: { ORDERS_APP_SECRET },
      extraArgs: ['--tls-cert', join(dir, 'server.pem'), '--tls-key', join(dir, 'server-key.pem')],
    }),
    freshDatabase(await testDatabaseUrl(), 'nest_secure'),
  ]);
});
after(async () => {
  await broker?.dispose();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

test('the snippet signs in over TLS: its relay publishes an outbox row, and an @OnMessage consumer (group billing) receives it', async () => {
  // The snippet reads its settings from the environment when it is imported.
  Object.assign(process.env, { TXMQ_ENDPOINTS: broker.endpoint, DATABASE_URL: database.url, ORDERS_APP_SECRET, TXMQ_CA_FILE: join(dir, 'server.pem') });
  const { SecureAppModule, secureDb } = await import('@txmq/nest-snippets/secure-app.module');
  const received: unknown[] = [];
  @Injectable()
  class Billing {
    @OnMessage({ topic: 'orders', group: 'billing' })
    onOrder(message: ReceivedMessage): void {
      received.push(decodeBody(message));
    }
  }
  @Module({ imports: [SecureAppModule], providers: [Billing] })
  class ComposedModule {}
  const app = await NestFactory.createApplicationContext(ComposedModule, { logger: false, abortOnError: false });
  try {
    const outbox = app.get<Outbox>(TXMQ_OUTBOX, { strict: false });
    await secureDb.transaction().execute((trx) => outbox.send(trx, { topic: 'orders', body: { order: 42 } }));
    await eventually('the order consumed', () => received.length > 0, { timeoutMs: 20_000 });
    assert.deepEqual(received, [{ order: 42 }]);
  } finally {
    await app.close();
    await secureDb.destroy();
  }
});

test('with a wrong secret the application does not start: the error is the broker refusing the signature', async () => {
  // In a process of its own: the snippet's module reads the environment once, when imported.
  const child = fileURLToPath(new URL('./support/children/secure-nest-app.js', import.meta.url));
  const env = { ...process.env, TXMQ_ENDPOINTS: broker.endpoint, DATABASE_URL: database.url, ORDERS_APP_SECRET: 'not-the-secret', TXMQ_CA_FILE: join(dir, 'server.pem') };
  const { stdout } = await promisify(execFile)(process.execPath, [child], { env, timeout: 30_000 });
  const outcome = JSON.parse(stdout.trim().split('\n').at(-1)!) as { started: boolean; error?: string };
  assert.equal(outcome.started, false);
  assert.match(outcome.error ?? '', /40100 UNAUTHORIZED: the signature for access key "orders-app" does not match: wrong secret/);
  assert.ok(!(outcome.error ?? '').includes(ORDERS_APP_SECRET));
});
