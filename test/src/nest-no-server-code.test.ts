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
  const dir = await mkdtemp(join(tmpdir(), 'txmq-nest-loads-'));
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'reflect-metadata', '--import', new URL('record-loads.js', CHILDREN).href, fileURLToPath(new URL('report-loads.js', CHILDREN)), specifier],
      { env: { ...process.env, TXMQ_LOAD_LOG: join(dir, 'loads.txt') }, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
    );
    return stdout.split('\n').filter(Boolean);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const serverModules = (modules: string[]) => modules.filter((m) => SERVER_CODE.some((pattern) => pattern.test(m)));

for (const entry of ['@txmq/nest', '@txmq/nest/health']) {
  test(`importing ${entry} loads no server code of the broker, nor PGlite`, async () => {
    const modules = await modulesLoadedBy(entry);
    assert.ok(modules.some((m) => m.includes('/packages/nest-module/dist/src/')), 'the nest module was loaded');
    assert.ok(modules.some((m) => m.includes('/packages/broker/dist/src/client/index.js')), 'it loads the broker client');
    assert.deepEqual(serverModules(modules), []);
    assert.deepEqual(modules.filter((m) => /node_modules\/@electric-sql\/pglite\//.test(m) || m.includes('/dist/src/testing/')), []);
  });
}

test('the check sees server code when it is loaded: importing @txmq/nest/testing loads the broker server', async () => {
  const found = serverModules(await modulesLoadedBy('@txmq/nest/testing'));
  for (const expected of [/lmdb/, /pino/, /dist\/src\/core\//, /dist\/src\/server\.js$/]) {
    assert.ok(found.some((m) => expected.test(m)), `${expected} not detected among ${found.length} server modules`);
  }
});
