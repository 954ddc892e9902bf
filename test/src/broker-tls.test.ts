// TLS on the gRPC port, with a certificate made by this test (no private key is committed): a
// broker process started with --tls-cert/--tls-key serves the official client (`sslEnabled`, the
// CA trusted through GRPC_DEFAULT_SSL_ROOTS_FILE_PATH) and the typed client (`tlsRootCertFile`);
// a plaintext client fails at once with an error, it does not hang.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { Producer } from 'rocketmq-client-nodejs';
import { createProducer, createSimpleConsumer, isBrokerError } from '@txmq/broker/client';
import { quietLogger, startBrokerProcess, uniqueName, type BrokerProcess } from './support/broker-process.js';
import { errorOf } from './support/official-clients.js';

const dir = mkdtempSync(join(tmpdir(), 'txmq-tls-e2e-'));
const certFile = join(dir, 'server.pem');
const keyFile = join(dir, 'server-key.pem');
let broker: BrokerProcess;

before(async () => {
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  broker = await startBrokerProcess({ memory: true, extraArgs: ['--tls-cert', certFile, '--tls-key', keyFile] });
});

after(async () => {
  await broker?.stop();
  await broker?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('the official client with sslEnabled (CA from GRPC_DEFAULT_SSL_ROOTS_FILE_PATH) sends and receives', async () => {
  const child = fileURLToPath(new URL('./support/children/tls-official-client.js', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [child, broker.endpoint], {
    env: { ...process.env, GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: certFile },
    timeout: 15_000,
  });
  assert.deepEqual(JSON.parse(stdout.trim().split('\n').at(-1)!), { received: 'over tls' });
});

test('a plaintext official client fails fast with an error, not a hang', async () => {
  const producer = new Producer({ endpoints: broker.endpoint, namespace: '', logger: quietLogger, requestTimeout: 3000 });
  await producer.startup();
  const started = Date.now();
  try {
    const error = await errorOf(() => producer.send({ topic: 'plain', body: Buffer.from('x') }));
    assert.ok(Date.now() - started < 5000, `failed within the request timeout (${Date.now() - started} ms)`);
    // What grpc-js says when the TLS port closes a plaintext connection.
    assert.match(error.message, /14 UNAVAILABLE: No connection established/, error.message);
  } finally {
    await producer.shutdown();
  }
  assert.match(broker.stderr(), /"TLS handshake failed \(a client without TLS\?\)"/, 'the broker tells the operator');
});

test('the typed client: tlsRootCertFile makes a round trip; plaintext to the TLS port is refused with a clear error', async () => {
  const topic = uniqueName('tls-typed');
  const producer = createProducer({ endpoints: broker.endpoint, tlsRootCertFile: certFile });
  const consumer = createSimpleConsumer({ endpoints: broker.endpoint, tlsRootCertFile: certFile, group: uniqueName('tls-typed'), subscriptions: { [topic]: '*' }, awaitMs: 1000 });
  try {
    const sent = await producer.send({ topic, body: 'typed over tls' });
    let received;
    for (let i = 0; i < 20 && !received; i++) received = (await consumer.receive(1))[0];
    assert.equal(received?.body.toString(), 'typed over tls');
    assert.equal(received?.messageId, sent.messageId);
    await consumer.ack(received!);
  } finally {
    await Promise.all([producer.close(), consumer.close()]);
  }

  const plain = createProducer({ endpoints: broker.endpoint, startupTimeoutMs: 20_000 });
  const started = Date.now();
  try {
    const error = await errorOf(() => plain.send({ topic, body: 'x' }));
    assert.ok(isBrokerError(error), String(error));
    assert.ok(Date.now() - started < 5000, `failed at once (${Date.now() - started} ms): ${error.message}`);
    assert.match(error.message, /speaks TLS.*sslEnabled/, error.message);
  } finally {
    await plain.close();
  }

  const untrusted = createProducer({ endpoints: broker.endpoint, sslEnabled: true, startupTimeoutMs: 20_000 });
  try {
    const error = await errorOf(() => untrusted.send({ topic, body: 'x' }));
    assert.match(error.message, /certificate is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\).*tlsRootCertFile/, error.message);
  } finally {
    await untrusted.close();
  }
});
