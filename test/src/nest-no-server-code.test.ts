import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modulesLoadedBy, serverModules } from './support/loaded-modules.js';

for (const entry of ['@txmq/nest', '@txmq/nest/health']) {
  test(`importing ${entry} loads no server code of the broker, nor PGlite`, async () => {
    const modules = await modulesLoadedBy(entry, ['reflect-metadata']);
    assert.ok(modules.some((m) => m.includes('/packages/nest-module/dist/src/')), 'the nest module was loaded');
    assert.ok(modules.some((m) => m.includes('/packages/broker/dist/src/client/index.js')), 'it loads the broker client');
    assert.deepEqual(serverModules(modules), []);
    assert.deepEqual(modules.filter((m) => /node_modules\/@electric-sql\/pglite\//.test(m) || m.includes('/dist/src/testing/')), []);
  });
}

test('the check sees server code when it is loaded: importing @txmq/nest/testing loads the broker server', async () => {
  const found = serverModules(await modulesLoadedBy('@txmq/nest/testing', ['reflect-metadata']));
  for (const expected of [/lmdb/, /pino/, /dist\/src\/core\//, /dist\/src\/server\.js$/]) {
    assert.ok(found.some((m) => expected.test(m)), `${expected} not detected among ${found.length} server modules`);
  }
});
