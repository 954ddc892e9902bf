import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const APP = fileURLToPath(new URL('./fixtures/testing-failed-start.js', import.meta.url));
/** How long the child process may take before it counts as hanging. */
const CHILD_BOUND_MS = 60_000;

/** Runs the fixture with `FAIL=fail`; its exit code (null when it had to be killed) and output. */
async function run(fail: 'compile' | 'init'): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [APP], { env: { ...process.env, FAIL: fail }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_BOUND_MS);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, output };
}

test('compile() that fails after the testing module started its broker leaves nothing holding the process', async () => {
  const { code, output } = await run('compile');
  assert.equal(code, 0, `the process did not exit by itself within ${CHILD_BOUND_MS} ms; output:\n${output}`);
  // Nest rejects compile() as soon as one provider fails, so the testing module may finish
  // starting (PGlite, setup) after that.
  assert.deepEqual(output.trim().split('\n').sort(), ["failed: Nest can't resolve dependencies of the NeedsMissing (?)", 'started'], 'the broker and PGlite had started');
});

test('init() that fails, then close() in a finally: the process exits', async () => {
  const { code, output } = await run('init');
  assert.equal(code, 0, `the process did not exit by itself within ${CHILD_BOUND_MS} ms; output:\n${output}`);
  assert.equal(output, 'started\nfailed: bootstrap failed\n');
});
