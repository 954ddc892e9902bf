import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { after, test } from 'node:test';
import { inspect } from 'node:util';
import { Server, ServerCredentials, credentials, makeGenericClientConstructor, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { resolveTls, type ResolvedTls } from '../src/auth/tls-config.js';
import { ConfigError } from '../src/errors.js';

// A throw-away certificate for localhost, made now: no private key is committed.
const dir = mkdtempSync(join(tmpdir(), 'txmq-tls-'));
after(() => rmSync(dir, { recursive: true, force: true }));
function selfSigned(name: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}-key.pem`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  return { certFile, keyFile };
}
const server = selfSigned('server');
const other = selfSigned('other');

function configError(raw: unknown, now?: () => number): ConfigError {
  try {
    resolveTls(raw, { baseDir: dir, ...(now ? { now } : {}) });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    assert.ok(!error.message.includes('PRIVATE KEY'), error.message);
    return error;
  }
  assert.fail('expected a ConfigError');
}

test('no tls key: plaintext', () => {
  assert.equal(resolveTls(undefined), undefined);
});

test('a certificate and its key resolve (relative to the config folder), and the key stays out of logs', () => {
  const tls = resolveTls({ certFile: 'server.pem', keyFile: 'server-key.pem' }, { baseDir: dir })!;
  assert.equal(tls.certFile, server.certFile);
  assert.equal(tls.keyFile, server.keyFile);
  assert.match(tls.cert.toString(), /BEGIN CERTIFICATE/);
  assert.match(tls.key.reveal(), /BEGIN PRIVATE KEY/);
  assert.ok(tls.validTo.getTime() > Date.now());
  assert.ok(!JSON.stringify(tls).includes('PRIVATE KEY'));
  assert.ok(!inspect(tls).includes('PRIVATE KEY'));
});

test('unreadable, wrong, mismatched or expired files are ConfigErrors naming the key and the file', () => {
  writeFileSync(join(dir, 'not-pem.txt'), 'hello');
  const cases: [unknown, string, RegExp][] = [
    ['server.pem', 'tls', /^tls must be an object$/],
    [{ certFile: 'server.pem' }, 'tls.keyFile', /tls.keyFile must be a file path/],
    [{ certFile: 'server.pem', keyFile: 'server-key.pem', caFile: 'x' }, 'tls.caFile', /unknown key "tls.caFile"/],
    [{ certFile: 'missing.pem', keyFile: 'server-key.pem' }, 'tls.certFile', /tls.certFile cannot be read from .*missing\.pem: ENOENT/],
    [{ certFile: 'server.pem', keyFile: 'missing-key.pem' }, 'tls.keyFile', /tls.keyFile cannot be read from .*missing-key\.pem: ENOENT/],
    [{ certFile: 'not-pem.txt', keyFile: 'server-key.pem' }, 'tls.certFile', /not-pem\.txt, which is not a PEM certificate/],
    [{ certFile: 'server-key.pem', keyFile: 'server-key.pem' }, 'tls.certFile', /which is not a PEM certificate/],
    [{ certFile: 'server.pem', keyFile: 'not-pem.txt' }, 'tls.keyFile', /not-pem\.txt, which is not a PEM private key/],
    [{ certFile: 'server.pem', keyFile: other.keyFile }, 'tls.keyFile', /other-key\.pem, whose key does not belong to the certificate in .*server\.pem/],
  ];
  for (const [raw, option, message] of cases) {
    const error = configError(raw);
    assert.equal(error.option, option, error.message);
    assert.match(error.message, message);
  }
  const expired = configError({ certFile: 'server.pem', keyFile: 'server-key.pem' }, () => Date.now() + 3 * 86_400_000);
  assert.equal(expired.option, 'tls.certFile');
  assert.match(expired.message, /server\.pem, whose certificate expired on \d{4}-/);
});

test('the resolved identity serves TLS that a client trusting the certificate accepts for localhost', async () => {
  const tls = resolveTls(server)!;
  const tlsServer = createServer({ cert: tls.cert, key: tls.key.reveal() }, (socket) => socket.end('hello'));
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  const { port } = tlsServer.address() as { port: number };
  try {
    const socket: TLSSocket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: tls.cert });
    const text = await new Promise<string>((resolve, reject) => {
      let data = '';
      socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    assert.equal(text, 'hello');
    assert.equal(socket.authorized, true);
  } finally {
    tlsServer.close();
  }
});

test('gRPC over the resolved identity: a TLS client gets answers, a plaintext client fails fast instead of hanging', async () => {
  const tls = resolveTls(server)!;
  const service = {
    echo: {
      path: '/txmq.test.Echo/Echo',
      requestStream: false,
      responseStream: false,
      requestSerialize: (value: Buffer) => value,
      requestDeserialize: (value: Buffer) => value,
      responseSerialize: (value: Buffer) => value,
      responseDeserialize: (value: Buffer) => value,
    },
  };
  const grpcServer = new Server();
  grpcServer.addService(service, { echo: (call: { request: Buffer }, callback: (e: null, r: Buffer) => void) => callback(null, call.request) });
  const port = await new Promise<number>((resolve, reject) =>
    grpcServer.bindAsync(
      '127.0.0.1:0',
      ServerCredentials.createSsl(null, [{ cert_chain: tls.cert, private_key: Buffer.from(tls.key.reveal()) }], false),
      (error, bound) => (error ? reject(error) : resolve(bound)),
    ),
  );
  const Client = makeGenericClientConstructor(service, 'Echo');
  const call = (client: InstanceType<typeof Client>) =>
    new Promise<Buffer>((resolve, reject) =>
      (client as unknown as Record<string, Function>).echo!(Buffer.from('ping'), { deadline: Date.now() + 5000 }, (error: ServiceError | null, reply: Buffer) => (error ? reject(error) : resolve(reply))),
    );
  const secure = new Client(`localhost:${port}`, credentials.createSsl(tls.cert));
  const plain = new Client(`localhost:${port}`, credentials.createInsecure());
  try {
    assert.equal((await call(secure)).toString(), 'ping');
    const started = Date.now();
    await assert.rejects(call(plain), (error: ServiceError) => error.code === GrpcStatus.UNAVAILABLE);
    const waited = Date.now() - started;
    assert.ok(waited < 4000, `a plaintext client waited ${waited} ms`);
  } finally {
    secure.close();
    plain.close();
    grpcServer.forceShutdown();
  }
});
