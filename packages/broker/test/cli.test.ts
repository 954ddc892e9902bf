import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect as http2Connect } from 'node:http2';
import { createServer, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseEndpoint } from '../src/client/endpoint.js';
import { portFlagOf } from '../src/cli/serve-command.js';
import { AddressInUseError, BrokerError, ConfigError } from '../src/errors.js';
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

test('a second SIGINT during the drain (Ctrl-C under npm or npx) does not cut it short: the broker drains and exits 0', async () => {
  const child = spawn(process.execPath, [CLI, '--memory', '--port', '0', '--log-level', 'silent'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let stdout = '';
  const printed = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const look = () => {
        const match = pattern.exec(stdout);
        if (match) resolve(match);
      };
      child.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        look();
      });
      look();
      void exit.then(() => reject(new Error(`exited before printing ${pattern}; stdout: ${stdout}`)));
    });
  try {
    const [, endpoint] = await printed(/listening on (\S+)\n/);
    // A call whose request never ends keeps the drain going until the test lets it go.
    const session = http2Connect(`http://${endpoint}`);
    const call = session.request({ ':method': 'POST', ':path': '/apache.rocketmq.v2.MessagingService/QueryRoute', 'content-type': 'application/grpc', te: 'trailers' });
    call.on('error', () => undefined);
    await once(call, 'ready');
    child.kill('SIGINT');
    await printed(/stopping \(SIGINT\)/);
    child.kill('SIGINT');
    assert.equal(child.exitCode, null, 'still draining');
    session.destroy();
    assert.deepEqual(await exit, [0, null], stdout);
  } finally {
    child.kill('SIGKILL');
  }
});

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

test('an HTTP port already in use names --http-port; which flag is told by the error, not its wording', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const { port } = taken.address() as AddressInfo;
  try {
    const run = await cli('--memory', '--port', '0', '--http-port', String(port));
    assert.equal(run.code, 1);
    assert.deepEqual(run.stderr.trimEnd().split('\n'), [
      `txmq-broker: HTTP port ${port} on 127.0.0.1 is already in use (is another broker running? choose another port with --http-port)`,
    ]);
  } finally {
    taken.close();
  }
  assert.equal(portFlagOf(new AddressInUseError('http', 'port 9 on h is already in use')), '--http-port');
  assert.equal(portFlagOf(new AddressInUseError('grpc', 'HTTP/2 port 9 on h is already in use')), '--port');
  assert.equal(portFlagOf(new BrokerError('ADDRESS_IN_USE', 'HTTP port 9 on h is already in use')), '--port');
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
  const tx = await cli('tx', 'list', '--endpoint');
  assert.equal(tx.code, 2);
  assert.match(tx.stderr, /^txmq-broker tx: Option '--endpoint <value>' argument missing\nusage:\n/);
  assert.doesNotMatch(tx.stderr, /ERR_PARSE_ARGS|\n\s+at /);
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
  assert.equal(parseEndpoint('8092', '--endpoint'), '127.0.0.1:8092');
  assert.equal(parseEndpoint(' broker.internal:9876 ', '--endpoint'), 'broker.internal:9876');
  assert.equal(parseEndpoint('[::1]:8081', '--endpoint'), '[::1]:8081');
  for (const bad of ['', 'localhost', '0', '70000', 'host:', ':8081']) {
    assert.throws(() => parseEndpoint(bad, '--endpoint'), (e: unknown) => e instanceof ConfigError && /--endpoint/.test(e.message), JSON.stringify(bad));
  }
});
