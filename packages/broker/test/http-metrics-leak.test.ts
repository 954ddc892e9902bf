import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';

const SERVER = new URL('../src/server.js', import.meta.url).href;

/**
 * Run in a process of its own with --expose-gc: starts brokers with an HTTP port (process metrics
 * on), scrapes, closes them, and prints whether their cores were garbage collected.
 */
const SCRIPT = `
import { pino } from 'pino';
const { startBrokerWithCore } = await import(${JSON.stringify(SERVER)});
async function startScrapeClose() {
  const broker = await startBrokerWithCore({ port: 0, httpPort: 0, memory: true, logger: pino({ level: 'silent' }) });
  await (await fetch('http://' + broker.httpEndpoint + '/metrics')).text();
  await broker.close();
  return new WeakRef(broker.core);
}
const refs = [await startScrapeClose(), await startScrapeClose()];
for (let round = 0; round < 20 && refs.some((ref) => ref.deref()); round++) {
  await new Promise((resolve) => setTimeout(resolve, 20));
  globalThis.gc();
}
console.log(JSON.stringify(refs.map((ref) => ref.deref() === undefined)));
`;

test('a closed broker with an HTTP port is garbage collected: the process metrics keep no broker alive', async () => {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', '--input-type=module', '-e', SCRIPT], { cwd: new URL('.', import.meta.url), timeout: 20_000 }, (error, out, err) =>
      error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out));
  });
  assert.deepEqual(JSON.parse(stdout.trim()), [true, true], 'both closed cores were collected');
});
