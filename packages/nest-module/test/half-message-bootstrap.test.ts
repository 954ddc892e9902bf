import 'reflect-metadata';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { Test } from '@nestjs/testing';
import { isOutboxError } from '@txmq/outbox';
import { TxmqModule } from '../src/index.js';
import { testDb, type TestDb } from './helpers.js';

// Its own file: the sender tries to connect for its whole start-up bound (30 s) before giving up,
// and other test files run meanwhile.

const QUIET = { info: () => undefined, warn: () => undefined, error: () => undefined };
let t: TestDb;

before(async () => {
  t = await testDb();
});
after(async () => {
  await t?.close();
});

/** A port nothing listens on (it was free a moment ago). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

it("with delivery 'half-message', bootstrap fails when the broker cannot be reached", { timeout: 120_000 }, async () => {
  const endpoints = `127.0.0.1:${await freePort()}`;
  const moduleRef = await Test.createTestingModule({
    imports: [TxmqModule.forRoot({ endpoints, db: t.db, schema: t.schema, delivery: 'half-message', transactionalTopics: ['orders'], relay: false, logger: QUIET })],
  }).compile();
  try {
    await assert.rejects(moduleRef.init(), (error: unknown) => {
      assert.ok(isOutboxError(error, 'PUBLISH_FAILED'), String(error));
      assert.match(String((error as Error).message), /connecting the transactional sender/);
      assert.match(String((error as Error).cause), new RegExp(endpoints));
      return true;
    });
  } finally {
    await moduleRef.close();
  }
});
