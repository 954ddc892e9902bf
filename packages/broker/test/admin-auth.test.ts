// The admin services under an `acl`: every call is authenticated as the RocketMQ services' calls
// are (a fresh signature of a known user) and needs the admin right; refusals are gRPC statuses
// with the reason, counted and logged (surface `admin`) without the secret; the admin clients sign
// with `credentials` and report refusals as the messaging clients do (40100, 40300).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { credentials as grpcCredentials, Metadata, status as GrpcStatus, type Client, type ServiceClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { resolveAcl } from '../src/auth/acl-config.js';
import { AuthFailures } from '../src/auth/auth-failures.js';
import { createAuthenticator } from '../src/auth/authenticator.js';
import { authorizationHeader } from '../src/auth/authorization-header.js';
import { formatRequestDateTime } from '../src/auth/request-date-time.js';
import { createTransactionAdmin } from '../src/client/admin-client.js';
import { loadBrokerAdmin, loadTransactionAdmin } from '../src/client/admin-proto.js';
import { createBrokerAdmin } from '../src/client/broker-admin.js';
import { BrokerRefusedError, ConfigError } from '../src/errors.js';
import { FakeAdminBackend, startFakeAdminServer } from './fake-admin-backend.js';
import { testClock } from './helpers.js';

const ADMIN_SECRET = `admin-${Math.random().toString(36).slice(2)}`;
const APP_SECRET = `app-${Math.random().toString(36).slice(2)}`;
const lines: { fields: Record<string, unknown>; message: string }[] = [];
const failures = new AuthFailures({ warn: (fields, message) => lines.push({ fields: fields as Record<string, unknown>, message }) }, { now: testClock().now, windowMs: 1 });
const acl = resolveAcl({
  users: [
    { accessKey: 'ops', secret: ADMIN_SECRET, admin: true },
    { accessKey: 'app', secret: APP_SECRET, topics: { '*': ['pub', 'sub'] }, groups: { '*': ['sub'] } },
  ],
})!;
let backend: FakeAdminBackend;
let server: Awaited<ReturnType<typeof startFakeAdminServer>>;

before(async () => {
  backend = new FakeAdminBackend();
  server = await startFakeAdminServer(backend, { auth: { authenticator: createAuthenticator(acl, { now: Date.now }), failures } });
});
after(() => server.close());

function signed(accessKey: string, secret: string, at = Date.now()): Metadata {
  const metadata = new Metadata();
  const dateTime = formatRequestDateTime(at);
  metadata.set('x-mq-date-time', dateTime);
  metadata.set('authorization', authorizationHeader(accessKey, secret, dateTime));
  return metadata;
}

/** Calls `rpc` of `service` with `metadata` and a raw request; resolves to the gRPC error, if any. */
function raw(service: () => ServiceClientConstructor, rpc: string, request: object, metadata = new Metadata()): Promise<ServiceError | null> {
  const client = new (service())(server.endpoint, grpcCredentials.createInsecure()) as Client & Record<string, Function>;
  return new Promise((resolve) =>
    client[rpc]!.call(client, request, metadata, (error: ServiceError | null) => {
      client.close();
      resolve(error);
    }),
  );
}

test('unauthenticated calls are UNAUTHENTICATED with the reason, before the backend is asked; counted and logged as admin', async () => {
  const before = backend.calls.length;
  const reasonsBefore = new Map(failures.counts);
  const cases: [string, Metadata, RegExp][] = [
    ['no-credentials', new Metadata(), /^no credentials: the request has no authorization header$/],
    ['unknown-access-key', signed('ghost', 'whatever'), /^unknown access key "ghost"$/],
    ['bad-signature', signed('ops', 'not-the-secret'), /^the signature for access key "ops" does not match: wrong secret$/],
    ['clock-skew', signed('ops', ADMIN_SECRET, Date.now() - 20 * 60_000), /s ago of the broker's clock/],
    ['malformed', (() => {
      const m = new Metadata();
      m.set('authorization', 'MQv2-HMAC-SHA1 Credential=ops, SignedHeaders=x-mq-date-time, Signature=00');
      return m;
    })(), /^malformed credentials: the signed x-mq-date-time header is missing$/],
  ];
  for (const [reason, metadata, details] of cases) {
    for (const [service, rpc, request] of [
      [loadBrokerAdmin, 'ResetGroup', { group: 'billing', end: true }],
      [loadTransactionAdmin, 'ResolveTransaction', { transactionId: 'T1', resolution: 'COMMIT' }],
    ] as const) {
      const error = await raw(service, rpc, request, metadata);
      assert.equal(error?.code, GrpcStatus.UNAUTHENTICATED, `${reason} ${rpc}: ${error?.details}`);
      assert.match(error.details, details, `${reason} ${rpc}`);
    }
    assert.equal((failures.counts.get(reason as never) ?? 0) - (reasonsBefore.get(reason as never) ?? 0), 2, reason);
  }
  assert.equal(backend.calls.length, before, 'nothing reached the backend');
  const logged = lines.filter((l) => l.fields.surface === 'admin');
  assert.ok(logged.some((l) => l.fields.operation === 'ResetGroup' && l.fields.reason === 'bad-signature' && l.fields.accessKey === 'ops'), JSON.stringify(logged));
  const text = JSON.stringify(lines);
  for (const secret of [ADMIN_SECRET, APP_SECRET, 'not-the-secret']) assert.ok(!text.includes(secret), 'no secret in the log');
});

test('a user without the admin right is PERMISSION_DENIED naming it; the admin clients report 40300 FORBIDDEN', async () => {
  const before = backend.calls.length;
  const error = await raw(loadBrokerAdmin, 'ListTopics', {}, signed('app', APP_SECRET));
  assert.equal(error?.code, GrpcStatus.PERMISSION_DENIED);
  assert.equal(error.details, 'permission denied: user "app" has no admin right on the admin service');
  const brokerAdmin = createBrokerAdmin({ endpoints: server.endpoint, credentials: { accessKey: 'app', accessSecret: APP_SECRET } });
  const txAdmin = createTransactionAdmin({ endpoints: server.endpoint, credentials: { accessKey: 'app', accessSecret: APP_SECRET } });
  try {
    for (const call of [() => brokerAdmin.resetGroup('billing', 'end'), () => brokerAdmin.listTopics(), () => txAdmin.commit('T1'), () => txAdmin.list()]) {
      await assert.rejects(call(), (e: unknown) => {
        assert.ok(e instanceof BrokerRefusedError, String(e));
        assert.deepEqual([e.code, e.status], ['FORBIDDEN', 40300]);
        assert.match(e.message, new RegExp(`^the broker at ${server.endpoint} refused the admin call with 40300 FORBIDDEN: permission denied: user "app" has no admin right on the admin service$`));
        return true;
      });
    }
  } finally {
    await Promise.all([brokerAdmin.close(), txAdmin.close()]);
  }
  assert.equal(backend.calls.length, before, 'nothing reached the backend');
});

test('the admin user is served through both admin clients; without credentials they report 40100 UNAUTHORIZED with the reason', async () => {
  const credentials = { accessKey: 'ops', accessSecret: ADMIN_SECRET };
  const brokerAdmin = createBrokerAdmin({ endpoints: server.endpoint, credentials });
  const txAdmin = createTransactionAdmin({ endpoints: server.endpoint, credentials });
  const anonymous = createBrokerAdmin({ endpoints: server.endpoint });
  const wrong = createTransactionAdmin({ endpoints: server.endpoint, credentials: { accessKey: 'ops', accessSecret: 'guess' } });
  try {
    assert.deepEqual((await brokerAdmin.listTopics()).items.map((t) => t.name), ['orders', 'payments']);
    assert.deepEqual(await txAdmin.list(), []);
    await assert.rejects(anonymous.listTopics(), (e: unknown) => {
      assert.ok(e instanceof BrokerRefusedError, String(e));
      assert.deepEqual([e.code, e.status], ['UNAUTHORIZED', 40100]);
      assert.match(e.message, /refused the admin call with 40100 UNAUTHORIZED: no credentials: the request has no authorization header$/);
      return true;
    });
    await assert.rejects(wrong.list(), (e: unknown) => e instanceof BrokerRefusedError && e.code === 'UNAUTHORIZED' && /wrong secret$/.test(e.message) && !e.message.includes('guess'));
  } finally {
    await Promise.all([brokerAdmin.close(), txAdmin.close(), anonymous.close(), wrong.close()]);
  }
});

test('the admin clients check credentials and TLS options as the messaging clients do, without quoting the secret', () => {
  const cases: [object, RegExp][] = [
    [{ credentials: { accessKey: 'ops' } }, /^invalid broker admin option credentials\.accessSecret: must be a non-empty string$/],
    [{ credentials: { accessKey: 'a b', accessSecret: 'hidden-1' } }, /^invalid broker admin option credentials\.accessKey: must be a non-empty string of printable ASCII/],
    [{ credentials: { accessKey: 'ops', accessSecret: 'hidden-2', extra: 1 } }, /has unknown keys extra/],
    [{ sslEnabled: 'yes' }, /^invalid broker admin option sslEnabled: must be true or false/],
    [{ sslEnabled: false, tlsRootCertFile: '/ca.pem' }, /tlsRootCertFile: is a TLS option, but sslEnabled is false/],
    [{ tlsRootCertFile: '/nonexistent/ca.pem' }, /^invalid broker admin option tlsRootCertFile: cannot be read from \/nonexistent\/ca\.pem: ENOENT$/],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => createBrokerAdmin({ endpoints: server.endpoint, ...options }), (e: unknown) => e instanceof ConfigError && message.test(e.message) && !/hidden/.test(e.message));
  }
  assert.throws(() => createTransactionAdmin({ credentials: { accessKey: 'ops', accessSecret: '' } }), /^ConfigError: invalid transaction admin option credentials\.accessSecret/);
});

test('with "required": false an unsigned admin call acts as the user "anonymous": denied unless it has the admin right', async () => {
  for (const admin of [false, true]) {
    const open = resolveAcl({ required: false, users: [{ accessKey: 'anonymous', admin }] })!;
    const lenient = await startFakeAdminServer(new FakeAdminBackend(), { auth: { authenticator: createAuthenticator(open, { now: Date.now }), failures } });
    const client = createBrokerAdmin({ endpoints: lenient.endpoint });
    try {
      if (admin) assert.equal((await client.listTopics()).items.length, 2);
      else await assert.rejects(client.listTopics(), (e: unknown) => e instanceof BrokerRefusedError && e.code === 'FORBIDDEN' && /user "anonymous" has no admin right/.test(e.message));
      const wrong = createBrokerAdmin({ endpoints: lenient.endpoint, credentials: { accessKey: 'anonymous', accessSecret: 'x' } });
      await assert.rejects(wrong.listTopics(), (e: unknown) => e instanceof BrokerRefusedError && e.code === 'UNAUTHORIZED', 'a signed call is never treated as anonymous');
      await wrong.close();
    } finally {
      await client.close();
      await lenient.close();
    }
  }
});
