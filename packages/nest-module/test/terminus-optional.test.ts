import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** A loader that behaves as if `@nestjs/terminus` were not installed. */
const NO_TERMINUS_HOOKS = `export async function resolve(specifier, context, next) {
  if (specifier === '@nestjs/terminus' || specifier.startsWith('@nestjs/terminus/')) {
    throw Object.assign(new Error("Cannot find package '@nestjs/terminus'"), { code: 'ERR_MODULE_NOT_FOUND' });
  }
  return next(specifier, context);
}`;
const REGISTER = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(NO_TERMINUS_HOOKS)}`)});`;
const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** Imports `specifier` in a fresh process without terminus; resolves to what it printed. */
async function importWithoutTerminus(specifier: string): Promise<string> {
  const script = `import('reflect-metadata').then(() => import(${JSON.stringify(specifier)})).then((m) => console.log(Object.keys(m).sort().join(',')), (e) => console.log('failed: ' + e.message))`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, '--input-type=module', '-e', script],
    { cwd: PACKAGE_DIR, timeout: 60_000 },
  );
  return stdout.trim();
}

test('@txmq/nest loads without @nestjs/terminus installed; only @txmq/nest/health needs it', async () => {
  assert.match(await importWithoutTerminus('@txmq/nest'), /(^|,)TxmqModule(,|$)/);
  assert.equal(await importWithoutTerminus('@txmq/nest/health'), "failed: Cannot find package '@nestjs/terminus'");
});
