// `txmq-broker admin` and `txmq-broker tx` (spawned as users run them) against a broker process
// with users (`acl`) and TLS on its gRPC port, with a certificate made by this test: without
// credentials a command is refused (exit 1) saying why, a user without the admin right is denied,
// the admin user (secret from TXMQ_ACCESS_SECRET or --secret-file) is served; plaintext to the
// TLS port fails at once naming --tls. No secret reaches the broker's log or the commands' output.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AdminCli, runBrokerCli } from './support/admin-cli.js';
import { startBrokerProcess, type BrokerProcess } from './support/broker-process.js';

const OPS_SECRET = `ops-${Math.random().toString(36).slice(2)}-secret`;
const APP_SECRET = `app-${Math.random().toString(36).slice(2)}-secret`;
const dir = mkdtempSync(join(tmpdir(), 'txmq-admin-auth-e2e-'));
const certFile = join(dir, 'server.pem');
const keyFile = join(dir, 'server-key.pem');
const opsSecretFile = join(dir, 'ops.secret');
let broker: BrokerProcess;
const cli = new AdminCli(() => broker.endpoint);
const outputs: string[] = [];

before(async () => {
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  writeFileSync(opsSecretFile, `${OPS_SECRET}\n`);
  broker = await startBrokerProcess({
    memory: true,
    env: { OPS_SECRET },
    extraArgs: ['--tls-cert', certFile, '--tls-key', keyFile],
    config: {
      acl: {
        users: [
          { accessKey: 'ops', secretEnv: 'OPS_SECRET', admin: true },
          { accessKey: 'app', secret: APP_SECRET, topics: { '*': ['pub', 'sub'] }, groups: { '*': ['sub'] } },
        ],
      },
    },
  });
});

after(async () => {
  await broker?.stop();
  await broker?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** `txmq-broker admin ...args --endpoint <broker>` with `env`, its output kept for the secret scan. */
async function admin(env: NodeJS.ProcessEnv, ...args: string[]) {
  const run = await cli.runWith(env, ...args);
  outputs.push(run.stdout, run.stderr);
  return run;
}

async function tx(env: NodeJS.ProcessEnv, ...args: string[]) {
  const run = await runBrokerCli(['tx', ...args, '--endpoint', broker.endpoint], env);
  outputs.push(run.stdout, run.stderr);
  return run;
}

const UNAUTHENTICATED = /40100 UNAUTHORIZED: no credentials: the request has no authorization header\n\(the broker requires credentials: pass --access-key KEY/;
const DENIED = /40300 FORBIDDEN: permission denied: user "app" has no admin right on the admin service\n\(the user needs "admin": true in the broker's acl\)/;

test('admin topics: refused without credentials, denied to a non-admin user, served to the admin user', async () => {
  const created = await admin({ TXMQ_ACCESS_KEY: 'ops', TXMQ_ACCESS_SECRET: OPS_SECRET }, 'topics', 'create', 'audited', '--tls-ca', certFile);
  assert.equal(created.code, 0, created.stderr);
  const [anonymous, app, ops, wrong] = await Promise.all([
    admin({}, 'topics', '--tls-ca', certFile),
    admin({ TXMQ_ACCESS_SECRET: APP_SECRET }, 'topics', '--tls-ca', certFile, '--access-key', 'app'),
    // The README's command: the secret from TXMQ_ACCESS_SECRET.
    admin({ TXMQ_ACCESS_SECRET: OPS_SECRET }, 'topics', '--tls-ca', certFile, '--access-key', 'ops'),
    admin({ TXMQ_ACCESS_KEY: 'ops', TXMQ_ACCESS_SECRET: APP_SECRET }, 'topics', '--tls-ca', certFile, '--json'),
  ]);
  assert.deepEqual([anonymous.code, anonymous.stdout], [1, ''], anonymous.stderr);
  assert.match(anonymous.stderr, new RegExp(`^txmq-broker admin topics: the broker at ${broker.endpoint} refused the admin call with ${UNAUTHENTICATED.source}`));
  assert.equal(app.code, 1, app.stderr);
  assert.match(app.stderr, DENIED);
  assert.equal(ops.code, 0, ops.stderr);
  assert.match(ops.stdout, /^NAME +QUEUES +TYPE +ORIGIN.*\naudited +\d+ +NORMAL +admin /);
  assert.equal(wrong.code, 1, wrong.stderr);
  assert.equal(JSON.parse(wrong.stdout).error.code, 'UNAUTHORIZED');
  assert.match(wrong.stderr, /the signature for access key "ops" does not match: wrong secret/);
});

test('tx list and admin tx list: the same refusals; the admin user with --secret-file or TXMQ_ACCESS_SECRET', async () => {
  const [anonymous, app, ops, adminTx, adminTxAnonymous] = await Promise.all([
    tx({}, 'list', '--tls-ca', certFile),
    tx({ TXMQ_ACCESS_KEY: 'app', TXMQ_ACCESS_SECRET: APP_SECRET }, 'list', '--tls-ca', certFile),
    tx({ TXMQ_ACCESS_SECRET: OPS_SECRET }, 'list', '--tls-ca', certFile, '--access-key', 'ops'),
    // The README's command: the secret from a file.
    admin({}, 'tx', 'list', '--parked', '--tls-ca', certFile, '--access-key', 'ops', '--secret-file', opsSecretFile),
    admin({}, 'tx', 'list', '--tls-ca', certFile),
  ]);
  assert.equal(anonymous.code, 1, anonymous.stderr);
  assert.match(anonymous.stderr, new RegExp(`^txmq-broker tx list: the broker at ${broker.endpoint} refused the admin call with ${UNAUTHENTICATED.source}`));
  assert.equal(app.code, 1, app.stderr);
  assert.match(app.stderr, DENIED);
  assert.deepEqual([ops.code, ops.stdout], [0, 'no unsettled transactions\n'], ops.stderr);
  assert.deepEqual([adminTx.code, adminTx.stdout], [0, 'no unsettled transactions\n'], adminTx.stderr);
  assert.equal(adminTxAnonymous.code, 1);
  assert.match(adminTxAnonymous.stderr, UNAUTHENTICATED);
});

test('a usage error: an access key without a secret (exit 2); plaintext to the TLS port fails at once naming --tls', async () => {
  const noSecret = await admin({}, 'topics', '--access-key', 'ops', '--tls-ca', certFile);
  assert.deepEqual([noSecret.code, noSecret.stdout], [2, '']);
  assert.match(noSecret.stderr, /^txmq-broker admin topics: access key "ops" has no secret: set TXMQ_ACCESS_SECRET or pass --secret-file FILE\nusage:/);
  const started = Date.now();
  const plain = await admin({ TXMQ_ACCESS_SECRET: OPS_SECRET }, 'topics', '--access-key', 'ops');
  assert.equal(plain.code, 1, plain.stderr);
  assert.ok(Date.now() - started < 8000, `failed at once (${Date.now() - started} ms)`);
  assert.match(plain.stderr, /it speaks TLS.*\n\(the broker speaks TLS: pass --tls, and --tls-ca FILE unless a public CA signed its certificate\)/);
});

test("the README's credential commands were run; no secret is in the broker's log or any command's output", () => {
  cli.assertReadmeRan(['Credentials and TLS']);
  const log = broker.stderr();
  assert.match(log, /"surface":"admin"/, 'refused admin calls are logged');
  assert.match(log, /"reason":"no-credentials"/);
  for (const secret of [OPS_SECRET, APP_SECRET]) {
    assert.ok(!log.includes(secret), 'a secret is in the broker log');
    assert.ok(!outputs.join('\n').includes(secret), 'a secret is in a command output');
  }
});
