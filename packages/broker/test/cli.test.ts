import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseEndpoint } from '../src/cli/endpoint.js';
import { ConfigError } from '../src/errors.js';
import { startBroker } from '../src/server.js';
import { silentLog } from './helpers.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

/** Runs `txmq-broker ...args` to its end. */
function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

test('a port already in use is one line naming it, and exit code 1', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const { port } = taken.address() as AddressInfo;
  try {
    const run = await cli('--memory', '--port', String(port));
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.deepEqual(run.stderr.trimEnd().split('\n'), [
      `txmq-broker: port ${port} on 127.0.0.1 is already in use (is another broker running? choose another port with --port)`,
    ]);
  } finally {
    taken.close();
  }
});

test('a malformed command line prints what is wrong and the usage, and exits 2', async () => {
  for (const args of [['--port'], ['--bogus'], ['--memory=yes'], ['--port', 'abc'], ['--log-level', 'loud'], ['serve']]) {
    const run = await cli(...args);
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    const [first, ...rest] = run.stderr.split('\n');
    assert.match(first!, /^txmq-broker: \S/, args.join(' '));
    assert.equal(rest[0], 'usage:', args.join(' '));
    assert.doesNotMatch(run.stderr, /ERR_PARSE_ARGS|\n\s+at /, `${args.join(' ')}: no error code or stack trace`);
  }
  assert.match((await cli('--port')).stderr, /^txmq-broker: Option '--port <value>' argument missing\n/);
});

test('tx --endpoint takes a bare port as a broker on this machine', async () => {
  const broker = await startBroker({ port: 0, memory: true, logger: silentLog });
  try {
    const run = await cli('tx', 'list', '--endpoint', String(broker.port));
    assert.deepEqual(run, { code: 0, stdout: 'no unsettled transactions\n', stderr: '' });
  } finally {
    await broker.close();
  }
  const bad = await cli('tx', 'list', '--endpoint', 'localhost');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--endpoint must be HOST:PORT or a port of this machine/);
});

test('endpoints: a bare port is 127.0.0.1:PORT, HOST:PORT stays, anything else is a ConfigError', () => {
  assert.equal(parseEndpoint('8092'), '127.0.0.1:8092');
  assert.equal(parseEndpoint(' broker.internal:9876 '), 'broker.internal:9876');
  assert.equal(parseEndpoint('[::1]:8081'), '[::1]:8081');
  for (const bad of ['', 'localhost', '0', '70000', 'host:', ':8081']) {
    assert.throws(() => parseEndpoint(bad), (e: unknown) => e instanceof ConfigError && /--endpoint/.test(e.message), JSON.stringify(bad));
  }
});
