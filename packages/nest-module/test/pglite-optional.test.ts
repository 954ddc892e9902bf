import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** A loader that behaves as if `@electric-sql/pglite` were not installed. */
const NO_PGLITE_HOOKS = `export async function resolve(specifier, context, next) {
  if (specifier === '@electric-sql/pglite' || specifier.startsWith('@electric-sql/pglite/')) {
    throw Object.assign(new Error("Cannot find package '@electric-sql/pglite'"), { code: 'ERR_MODULE_NOT_FOUND' });
  }
  return next(specifier, context);
}`;
const REGISTER = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(NO_PGLITE_HOOKS)}`)});`;
const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));

// Without a db, the module needs PGlite: compiling fails naming the option, and the broker it had
// started is stopped again (the process exits by itself).
const SCRIPT = `
import 'reflect-metadata';
const { Test } = await import('@nestjs/testing');
const { TxmqTestingModule } = await import('@txmq/nest/testing');
console.log('loaded');
try {
  await Test.createTestingModule({ imports: [TxmqTestingModule.forRoot({})] }).compile();
  console.log('compiled');
} catch (error) {
  console.log(error.name + ' ' + error.option);
}`;

test('@txmq/nest/testing loads without @electric-sql/pglite; without a db it then fails naming db, and stops its broker', async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, '--input-type=module', '-e', SCRIPT],
    { cwd: PACKAGE_DIR, timeout: 60_000 },
  );
  assert.deepEqual(stdout.trim().split('\n'), ['loaded', 'InvalidOptionsError db']);
});
