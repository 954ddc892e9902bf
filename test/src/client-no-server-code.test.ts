import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const CHILDREN = new URL('./support/children/', import.meta.url);
/** Server code: the native store and codec, the server's logger, and the broker's server folders. */
const SERVER_CODE = [
  /node_modules\/lmdb\//,
  /node_modules\/msgpackr(-extract)?\//,
  /node_modules\/pino\//,
  /packages\/broker\/dist\/src\/(core|protocol|store|admin|cli)\//,
  /packages\/broker\/dist\/src\/(server|config|logger|cli|tx-command)\.js$/,
];

/** Every module (ESM URL or CommonJS path) that importing `specifier` in a fresh process loads. */
async function modulesLoadedBy(specifier: string): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'txmq-loads-'));
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', new URL('record-loads.js', CHILDREN).href, fileURLToPath(new URL('report-loads.js', CHILDREN)), specifier],
      { env: { ...process.env, TXMQ_LOAD_LOG: join(dir, 'loads.txt') }, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
    );
    return stdout.split('\n').filter(Boolean);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const serverModules = (modules: string[]) => modules.filter((m) => SERVER_CODE.some((pattern) => pattern.test(m)));

test('importing @txmq/broker/client loads no server code (no lmdb, msgpackr, pino, core/, protocol/, store/, server.js)', async () => {
  const modules = await modulesLoadedBy('@txmq/broker/client');
  assert.ok(modules.some((m) => m.includes('/packages/broker/dist/src/client/index.js')), 'the client was loaded');
  assert.ok(modules.some((m) => /node_modules\/rocketmq-client-nodejs\//.test(m)), 'CommonJS dependencies are seen too');
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
