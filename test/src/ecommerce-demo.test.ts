// `npm run demo` registers users through the account service's HTTP API and ends with what the
// services' databases hold. It runs on embedded defaults in a temporary folder of its own, so it
// must pass on a fresh machine and after any earlier run.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** What `npm run demo -- --users 10` runs once the workspace is built. */
const DEMO = ['examples/ecommerce/dist/main.js', 'demo', '--users', '10'];
const BOUND_MS = 90_000;

test('the demo registers 10 users (and refuses the duplicates with 409), and every registration gets exactly 100 points and one coupon', async () => {
  // The test run's Postgres and broker must not reach the demo: it uses its own.
  const env = { ...process.env, DATABASE_URL: 'postgres://nowhere.invalid/none', TXMQ_ENDPOINTS: '127.0.0.1:1' };
  const demo = spawn(process.execPath, DEMO, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let output = '';
  demo.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    output += chunk.toString();
  });
  demo.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => demo.kill('SIGKILL'), BOUND_MS);
  const code = await new Promise<number | null>((resolve) => demo.once('close', (exitCode) => resolve(exitCode)));
  clearTimeout(timer);
  assert.equal(code, 0, output);
  assert.equal(stdout.trimEnd().split('\n').at(-1), 'registered=10 points=10 coupons=10 duplicates=0', output);
  assert.match(output, /refused 2 duplicate registrations with 409/);
  assert.match(output, /ada\.1@example\.com +Ada Lovelace +100 +WELCOME-[0-9A-F]{8} /, 'the table shows the users with their rewards');
});
