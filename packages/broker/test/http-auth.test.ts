import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { resolveAcl } from '../src/auth/acl-config.js';
import { AuthFailures } from '../src/auth/auth-failures.js';
import { BASIC_CHALLENGE } from '../src/auth/http-basic.js';
import { resolveTls } from '../src/auth/tls-config.js';
import { BrokerMetrics } from '../src/http/metrics.js';
import { startHttpServer, type HttpServerOptions, type RunningHttpServer } from '../src/http/http-server.js';
import { FakeAdminBackend } from './http-fake-backend.js';
import { silentLog } from './helpers.js';

const SECRETS = { admin: 'admin-secret-123', app: 'app-secret-456' };
const USERS = [
  { accessKey: 'ops', secret: SECRETS.admin, admin: true },
  { accessKey: 'orders-app', secret: SECRETS.app, topics: { orders: ['pub', 'sub'] } },
];

const basic = (accessKey: string, secret: string) => `Basic ${Buffer.from(`${accessKey}:${secret}`).toString('base64')}`;

/** A warn log that keeps its lines, to look for secrets in. */
function capturingLog(): { lines: string[]; warn(fields: object, message: string): void } {
  const lines: string[] = [];
  return { lines, warn: (fields, message) => lines.push(JSON.stringify({ ...fields, msg: message })) };
}

const servers: RunningHttpServer[] = [];
const allMetrics: BrokerMetrics[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  for (const metrics of allMetrics) metrics.close();
});

async function serve(acl: unknown, extra: Partial<HttpServerOptions> = {}) {
  const backend = new FakeAdminBackend();
  const log = capturingLog();
  const failures = new AuthFailures(log);
  const metrics = new BrokerMetrics(backend);
  allMetrics.push(metrics);
  const server = await startHttpServer({
    host: '127.0.0.1', port: 0, backend, metrics, log: silentLog,
    auth: { acl: resolveAcl(acl)!, failures },
    ...extra,
  });
  servers.push(server);
  const get = async (path: string, authorization?: string) => {
    const response = await fetch(`http://127.0.0.1:${server.port}${path}`, { headers: authorization ? { authorization } : {} });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: response.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : undefined };
  };
  return { server, get, failures, log, metrics };
}

test('under a required acl: no, malformed, unknown or wrong credentials are 401 with the Basic challenge and the reason; each is counted and logged without the secret', async () => {
  const { get, failures, log } = await serve({ users: USERS });
  const cases: [string | undefined, string, RegExp][] = [
    [undefined, 'no-credentials', /^no credentials/],
    ['Bearer abc', 'malformed', /^malformed Authorization header/],
    [basic('nobody', 'whatever-secret'), 'unknown-access-key', /^unknown access key "nobody"$/],
    [basic('ops', 'wrong-secret-789'), 'bad-signature', /^the secret given for access key "ops" is wrong$/],
  ];
  for (const path of ['/api/topics', '/metrics', '/', '/console.js', '/no-such-page']) {
    for (const [authorization, reason, message] of cases) {
      const answer = await get(path, authorization);
      assert.equal(answer.status, 401, `${path} ${reason}`);
      assert.equal(answer.headers.get('www-authenticate'), BASIC_CHALLENGE);
      assert.equal(answer.body.error.code, 'UNAUTHORIZED');
      assert.equal(answer.body.error.reason, reason);
      assert.match(answer.body.error.message, message);
    }
  }
  assert.deepEqual(Object.fromEntries(failures.counts), { 'no-credentials': 5, malformed: 5, 'unknown-access-key': 5, 'bad-signature': 5 });
  // Rate limited: one line per reason (and access key) per window.
  assert.equal(log.lines.length, 4, log.lines.join('\n'));
  for (const line of log.lines) {
    const fields = JSON.parse(line);
    assert.equal(fields.surface, 'http');
    assert.match(fields.operation, /^GET \/api\/topics$/);
    for (const secret of ['whatever-secret', 'wrong-secret-789', SECRETS.admin, 'abc']) assert.ok(!line.includes(secret), line);
    for (const [authorization] of cases) if (authorization) assert.ok(!line.includes(authorization.split(' ')[1]!), line);
  }
});

test('an admin gets the console, the API and /metrics; a user without admin gets 403 naming the missing right', async () => {
  const { get, failures } = await serve({ users: USERS });
  const admin = basic('ops', SECRETS.admin);
  assert.equal((await get('/api/topics', admin)).status, 200);
  assert.match((await get('/metrics', admin)).text, /^# HELP txmq_/m);
  assert.equal((await get('/', admin)).status, 200);
  assert.equal((await get('/no-such-page', admin)).status, 404, 'past the check, routing as before');
  for (const path of ['/api/topics', '/metrics', '/']) {
    const answer = await get(path, basic('orders-app', SECRETS.app));
    assert.equal(answer.status, 403, path);
    assert.equal(answer.headers.get('www-authenticate'), null, 'the credentials are right: no new prompt');
    assert.deepEqual(answer.body.error, {
      code: 'FORBIDDEN', resource: 'the admin service', right: 'admin',
      message: 'permission denied: user "orders-app" has no admin right on the admin service: the console, its API and /metrics need it',
    });
  }
  assert.equal(failures.counts.size, 0, 'a refusal of rights is no failed authentication');
});

test('required: false: anonymous requests get what the "anonymous" user may do; bad credentials are still refused', async () => {
  const closed = await serve({ required: false, users: USERS });
  const anonymous = await closed.get('/api/topics');
  assert.equal(anonymous.status, 403, 'no anonymous user configured: no rights');
  assert.match(anonymous.body.error.message, /user "anonymous" has no admin right/);
  assert.equal((await closed.get('/api/topics', basic('ops', SECRETS.admin))).status, 200);

  const open = await serve({ required: false, users: [...USERS, { accessKey: 'anonymous', admin: true }] });
  assert.equal((await open.get('/api/topics')).status, 200);
  assert.equal((await open.get('/metrics')).status, 200);
  const wrong = await open.get('/api/topics', basic('ops', 'wrong-secret-789'));
  assert.equal(wrong.status, 401, 'wrong credentials are never taken for anonymous');
  assert.equal(wrong.body.error.reason, 'bad-signature');
  const nonAdmin = await serve({ required: false, users: [...USERS, { accessKey: 'anonymous', topics: { '*': ['sub'] } }] });
  assert.equal((await nonAdmin.get('/metrics')).status, 403);
});

test('the Host header must name an IP address, localhost or the listening host (DNS rebinding): 421 otherwise', async () => {
  const backend = new FakeAdminBackend();
  const metrics = new BrokerMetrics(backend);
  allMetrics.push(metrics);
  const server = await startHttpServer({ host: '127.0.0.1', port: 0, backend, metrics, log: silentLog });
  servers.push(server);
  const status = (host: string) => rawRequest(server.port, `GET /api/topics HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, 'LOCALHOST', `[::1]:${server.port}`, '10.1.2.3']) {
    assert.match(await status(host), /^HTTP\/1\.1 200 /, host);
  }
  for (const host of ['evil.example', `evil.example:${server.port}`, 'localhost.evil.example', '127.0.0.1.nip.io']) {
    const answer = await status(host);
    assert.match(answer, /^HTTP\/1\.1 421 /, host);
    assert.match(answer, /names neither an IP address, localhost nor the broker's host \\"127\.0\.0\.1\\"/);
  }
});

test('a request target that is no URL is 400 naming it, not a 500', async () => {
  const backend = new FakeAdminBackend();
  const metrics = new BrokerMetrics(backend);
  allMetrics.push(metrics);
  const server = await startHttpServer({ host: '127.0.0.1', port: 0, backend, metrics, log: silentLog });
  servers.push(server);
  const answer = await rawRequest(server.port, 'GET http://[ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
  assert.match(answer, /^HTTP\/1\.1 400 /);
  assert.match(answer, /the request target \\"http:\/\/\[\\" is not a valid path/);
});

test('with tls: HTTPS with the certificate; plain HTTP to the port gets a 400 saying to use https', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'txmq-http-tls-'));
  try {
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
    ], { stdio: 'ignore' });
    const tls = resolveTls({ certFile, keyFile })!;
    const { server } = await serve({ users: USERS }, { tls });
    assert.equal(server.scheme, 'https');
    const get = (path: string, authorization?: string) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpsRequest({ host: '127.0.0.1', port: server.port, path, ca: tls.cert, headers: authorization ? { authorization } : {} }, (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode!, text }));
        });
        req.on('error', reject);
        req.end();
      });
    assert.equal((await get('/api/topics', basic('ops', SECRETS.admin))).status, 200);
    assert.equal((await get('/metrics')).status, 401);
    const plain = await rawRequest(server.port, 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    assert.match(plain, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(plain, /This port speaks HTTPS only: open it with https:\/\//);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Sends `text` as is and returns everything the server answered before closing. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}
