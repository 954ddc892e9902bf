import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modulesLoadedBy, serverModules } from './support/loaded-modules.js';

test('importing @txmq/broker/client loads no server code (no lmdb, msgpackr, pino, core/, protocol/, store/, server.js)', async () => {
  const modules = await modulesLoadedBy('@txmq/broker/client');
  assert.ok(modules.some((m) => m.includes('/packages/broker/dist/src/client/index.js')), 'the client was loaded');
  assert.ok(modules.some((m) => /node_modules\/@grpc\/grpc-js\//.test(m)), 'CommonJS dependencies are seen too');
  assert.deepEqual(modules.filter((m) => /node_modules\/rocketmq-client-nodejs\/dist\//.test(m)), [], 'the official RocketMQ client is not loaded');
  assert.deepEqual(serverModules(modules), []);
});

test('the check sees server code when it is loaded: importing the @txmq/broker root loads it', async () => {
  const found = serverModules(await modulesLoadedBy('@txmq/broker'));
  for (const expected of [/lmdb/, /pino/, /msgpackr/, /dist\/src\/core\//, /dist\/src\/server\.js$/]) {
    assert.ok(found.some((m) => expected.test(m)), `${expected} not detected among ${found.length} server modules`);
  }
});

test('importing @txmq/outbox loads no server code of the broker (no lmdb, msgpackr, pino, core/, protocol/, store/, server.js)', async () => {
  const modules = await modulesLoadedBy('@txmq/outbox');
  assert.ok(modules.some((m) => m.includes('/packages/outbox/dist/src/index.js')), 'the outbox was loaded');
  assert.ok(modules.some((m) => m.includes('/packages/broker/dist/src/client/index.js')), 'the outbox loads the broker client');
  assert.deepEqual(serverModules(modules), []);
});
