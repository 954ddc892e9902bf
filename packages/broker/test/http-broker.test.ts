import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isBrokerError } from '../src/errors.js';
import { startBroker, startBrokerWithCore } from '../src/server.js';
import { messagingClient, unaryCall } from './grpc-client.js';
import { silentLog } from './helpers.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 20_000 }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }));
  });
}

/** A port some other server holds until `release()`. */
async function takenPort(): Promise<{ port: number; release: () => void }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, release: () => server.close() };
}

test('startBroker with httpPort: the console, its API and /metrics on the broker host; gRPC calls land in the RPC histogram; close() closes the port', async () => {
  const broker = await startBroker({ port: 0, httpPort: 0, memory: true, logger: silentLog });
  let closed = false;
  try {
    assert.ok(broker.httpPort! > 0);
    assert.equal(broker.httpEndpoint, `127.0.0.1:${broker.httpPort}`);
    const base = `http://${broker.httpEndpoint}`;
    assert.match(await (await fetch(`${base}/`)).text(), /<title>txmq console<\/title>/);
    assert.deepEqual(await (await fetch(`${base}/api/transactions`)).json(), { items: [] });

    const client = messagingClient(broker.endpoint);
    try {
      await unaryCall(client, 'QueryRoute', { topic: { name: 'http-broker-topic' } });
      await unaryCall(client, 'Heartbeat', {});
    } finally {
      client.close();
    }
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /^txmq_rpc_duration_seconds_count\{method="QueryRoute",code="OK"\} 1$/m);
    assert.match(metrics, /^txmq_rpc_duration_seconds_count\{method="Heartbeat",code="OK"\} 1$/m);
    assert.match(metrics, /^txmq_process_cpu_user_seconds_total /m);
    await broker.close();
    closed = true;
    await assert.rejects(fetch(`${base}/metrics`), 'nothing listens after close()');
  } finally {
    if (!closed) await broker.close();
  }
});

test('without httpPort no HTTP port is opened', async () => {
  const broker = await startBroker({ port: 0, memory: true, logger: silentLog });
  try {
    assert.equal(broker.httpPort, undefined);
    assert.equal(broker.httpEndpoint, undefined);
  } finally {
    await broker.close();
  }
});

test('an HTTP port in use: ADDRESS_IN_USE naming it, and the gRPC port is let go', async () => {
  const taken = await takenPort();
  try {
    const grpc = await takenPort();
    grpc.release();
    await assert.rejects(startBroker({ port: grpc.port, httpPort: taken.port, memory: true, logger: silentLog }), (error: unknown) =>
      isBrokerError(error, 'ADDRESS_IN_USE') && error.message === `HTTP port ${taken.port} on 127.0.0.1 is already in use`);
    const again = await startBroker({ port: grpc.port, memory: true, logger: silentLog });
    await again.close();
  } finally {
    taken.release();
  }
});

test('the CLI: --http-port prints the console line after the listening line; a taken or malformed port is refused', async () => {
  const child = spawn(process.execPath, [CLI, '--memory', '--port', '0', '--http-port', '0', '--log-level', 'silent'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = once(child, 'exit');
  try {
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', () => /console on .*\n/.test(stdout) && resolve());
      void exit.then(() => reject(new Error(`exited early: ${stdout}`)));
    });
    const [listening, consoleLine] = stdout.split('\n');
    assert.match(listening!, /^txmq broker listening on 127\.0\.0\.1:\d+$/);
    const match = /^txmq console on (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(consoleLine!);
    assert.ok(match, consoleLine);
    assert.equal((await fetch(match[1]!)).status, 200);
    child.kill('SIGTERM');
    assert.deepEqual(await exit, [0, null]);
  } finally {
    child.kill('SIGKILL');
  }

  const taken = await takenPort();
  try {
    const run = await cli('--memory', '--port', '0', '--http-port', String(taken.port));
    assert.equal(run.code, 1);
    assert.equal(run.stderr.trimEnd(), `txmq-broker: HTTP port ${taken.port} on 127.0.0.1 is already in use (is another broker running? choose another port with --http-port)`);
  } finally {
    taken.release();
  }
  for (const [args, pattern] of [
    [['--http-port', 'web'], /^txmq-broker: --http-port must be an integer from 0 to 65535, got "web"\n/],
    [['--port', '9000', '--http-port', '9000'], /^txmq-broker: --http-port must differ from --port \(both 9000\)\n/],
  ] as const) {
    const run = await cli('--memory', ...args);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, pattern);
  }
  assert.match((await cli('--help')).stdout, /--http-port +web console, its JSON API/);
});

test('with acl and tls: the HTTP port speaks HTTPS with the certificate, for admins; refusals are counted with the gRPC ones', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'txmq-http-broker-tls-'));
  try {
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
    ], { stdio: 'ignore' });
    const broker = await startBrokerWithCore({
      port: 0, httpPort: 0, memory: true, logger: silentLog,
      config: { acl: { users: [{ accessKey: 'ops', secret: 'ops-secret-1', admin: true }] }, tls: { certFile, keyFile } },
    });
    try {
      assert.equal(broker.httpScheme, 'https');
      const get = (path: string, authorization?: string) =>
        new Promise<{ status: number; text: string }>((resolve, reject) => {
          const req = httpsRequest({ host: '127.0.0.1', port: broker.httpPort, path, ca: readFileSync(certFile), headers: authorization ? { authorization } : {} }, (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => (text += chunk.toString()));
            response.on('end', () => resolve({ status: response.statusCode!, text }));
          });
          req.on('error', reject);
          req.end();
        });
      assert.equal((await get('/metrics')).status, 401);
      assert.equal(broker.authFailures.counts.get('no-credentials'), 1);
      const metrics = await get('/metrics', `Basic ${Buffer.from('ops:ops-secret-1').toString('base64')}`);
      assert.equal(metrics.status, 200);
      assert.match(metrics.text, /^txmq_auth_failures_total\{reason="no-credentials"\} 1$/m);
    } finally {
      await broker.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
