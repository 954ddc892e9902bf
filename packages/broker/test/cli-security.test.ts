// `txmq-broker admin ...` and `txmq-broker tx ...` against admin services under an `acl`: the
// access key from --access-key or TXMQ_ACCESS_KEY, the secret only from TXMQ_ACCESS_SECRET or
// --secret-file (never an option's value), usage errors exit 2, refusals exit 1 saying why; no
// output ever contains the secret.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { resolveAcl } from '../src/auth/acl-config.js';
import { AuthFailures } from '../src/auth/auth-failures.js';
import { createAuthenticator } from '../src/auth/authenticator.js';
import { runAdmin } from '../src/cli/admin/admin-command.js';
import { runTransactionCommand } from '../src/cli/tx-command.js';
import { FakeAdminBackend, startFakeAdminServer } from './fake-admin-backend.js';
import { silentLog } from './helpers.js';

const ADMIN_SECRET = `ops-${Math.random().toString(36).slice(2)}`;
const APP_SECRET = `app-${Math.random().toString(36).slice(2)}`;
let server: Awaited<ReturnType<typeof startFakeAdminServer>>;
let dir: string;
const outputs: string[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'txmq-cli-security-'));
  await writeFile(join(dir, 'ops.secret'), `${ADMIN_SECRET}\n`);
  await writeFile(join(dir, 'empty.secret'), '\n');
  const acl = resolveAcl({ users: [{ accessKey: 'ops', secret: ADMIN_SECRET, admin: true }, { accessKey: 'app', secret: APP_SECRET }] })!;
  server = await startFakeAdminServer(new FakeAdminBackend(), { auth: { authenticator: createAuthenticator(acl, { now: Date.now }), failures: new AuthFailures(silentLog) } });
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
  const all = outputs.join('\n');
  for (const secret of [ADMIN_SECRET, APP_SECRET]) assert.ok(!all.includes(secret), 'no command printed a secret');
});

type Run = { code: number; out: string; err: string };

async function cli(kind: 'admin' | 'tx', env: Record<string, string>, ...argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env };
  const args = argv.includes('--help') ? argv : [...argv, '--endpoint', server.endpoint];
  const code = kind === 'admin' ? await runAdmin(args, io) : await runTransactionCommand(args, io);
  outputs.push(...out, ...err);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('admin topics and tx list: refused without credentials (exit 1, the reason and how to pass them), denied to a non-admin, served to the admin', async () => {
  for (const [kind, argv, label] of [['admin', ['topics'], 'txmq-broker admin topics'], ['tx', ['list'], 'txmq-broker tx list']] as const) {
    const anonymous = await cli(kind, {}, ...argv);
    assert.equal(anonymous.code, 1, anonymous.err);
    assert.equal(anonymous.out, '');
    assert.match(anonymous.err, new RegExp(`^${label}: the broker at \\S+ refused the admin call with 40100 UNAUTHORIZED: no credentials: the request has no authorization header\\n\\(the broker requires credentials: pass --access-key KEY \\(or set TXMQ_ACCESS_KEY\\) with the secret in TXMQ_ACCESS_SECRET or a --secret-file FILE\\)$`));

    const app = await cli(kind, { TXMQ_ACCESS_SECRET: APP_SECRET }, ...argv, '--access-key', 'app');
    assert.equal(app.code, 1, app.err);
    assert.match(app.err, /40300 FORBIDDEN: permission denied: user "app" has no admin right on the admin service\n\(the user needs "admin": true in the broker's acl\)$/);

    const wrong = await cli(kind, { TXMQ_ACCESS_KEY: 'ops', TXMQ_ACCESS_SECRET: 'a-guess' }, ...argv);
    assert.equal(wrong.code, 1, wrong.err);
    assert.match(wrong.err, /40100 UNAUTHORIZED: the signature for access key "ops" does not match: wrong secret\n\(check the access key and its secret, and that this machine's clock is right\)$/);

    const fromEnv = await cli(kind, { TXMQ_ACCESS_KEY: 'ops', TXMQ_ACCESS_SECRET: ADMIN_SECRET }, ...argv);
    assert.equal(fromEnv.code, 0, fromEnv.err);
    const fromFile = await cli(kind, {}, ...argv, '--access-key', 'ops', '--secret-file', join(dir, 'ops.secret'));
    assert.equal(fromFile.code, 0, fromFile.err);
    assert.equal(fromFile.out, fromEnv.out);
  }
  const json = await cli('admin', {}, 'topics', '--json');
  assert.equal(json.code, 1);
  assert.equal(JSON.parse(json.out).error.code, 'UNAUTHORIZED');
  const adminTx = await cli('admin', { TXMQ_ACCESS_SECRET: APP_SECRET, TXMQ_ACCESS_KEY: 'app' }, 'tx', 'list', '--json');
  assert.deepEqual([adminTx.code, JSON.parse(adminTx.out).error.code], [1, 'FORBIDDEN']);
});

test('usage errors exit 2: a secret as an option, a key without a secret, a secret without a key, unreadable files', async () => {
  const cases: [Record<string, string>, string[], RegExp][] = [
    [{}, ['--secret', 'S3CRET-VALUE'], /--secret is not accepted: a secret on the command line is visible to every user of the machine \(ps\); put it in TXMQ_ACCESS_SECRET or a file named by --secret-file/],
    [{}, ['--access-secret=S3CRET-VALUE'], /--access-secret is not accepted/],
    [{}, ['--access-key', 'ops'], /access key "ops" has no secret: set TXMQ_ACCESS_SECRET or pass --secret-file FILE/],
    [{ TXMQ_ACCESS_KEY: 'ops' }, [], /access key "ops" has no secret/],
    [{}, ['--secret-file', join(dir, 'ops.secret')], /--secret-file needs an access key: pass --access-key KEY or set TXMQ_ACCESS_KEY/],
    [{ TXMQ_ACCESS_SECRET: 'S3CRET-VALUE' }, [], /TXMQ_ACCESS_SECRET is set but no access key is given/],
    [{}, ['--access-key', 'ops', '--secret-file', join(dir, 'missing.secret')], /--secret-file \S+missing\.secret cannot be read: ENOENT/],
    [{}, ['--access-key', 'ops', '--secret-file', join(dir, 'empty.secret')], /--secret-file \S+empty\.secret is empty/],
    [{ TXMQ_ACCESS_SECRET: 'S3CRET-VALUE' }, ['--access-key', 'a,b'], /the access key must be a non-empty string of printable ASCII without spaces/],
    [{}, ['--tls-ca', join(dir, 'missing.pem')], /--tls-ca \S+missing\.pem cannot be read: ENOENT/],
    [{}, ['--access-key'], /Option '--access-key' argument is ambiguous/],
  ];
  for (const [kind, argv, label] of [['admin', ['topics'], 'txmq-broker admin topics'], ['tx', ['list'], 'txmq-broker tx']] as const) {
    for (const [env, extra, message] of cases) {
      const run = await cli(kind, env, ...argv, ...extra);
      assert.deepEqual([run.code, run.out], [2, ''], `${kind} ${extra.join(' ')}: ${run.err}`);
      assert.ok(run.err.startsWith(`${label}: `), run.err);
      assert.match(run.err.split('\n')[0]!, message, run.err);
      assert.match(run.err, /usage:/);
      assert.ok(!run.err.includes('S3CRET-VALUE'), 'the secret is not echoed');
    }
  }
});

test('--help says where credentials come from, and why the secret is no option', async () => {
  for (const run of [await cli('admin', {}, 'topics', '--help'), await cli('tx', {}, '--help')]) {
    assert.equal(run.code, 0);
    assert.match(run.out, /--access-key KEY +the user's access key \(default: env TXMQ_ACCESS_KEY\)/);
    assert.match(run.out, /--secret-file FILE +a file holding the user's secret \(default: env TXMQ_ACCESS_SECRET\)/);
    assert.match(run.out, /can read a command line \(ps\), so there is no --secret option/);
    assert.match(run.out, /--tls +connect over TLS/);
    assert.match(run.out, /--tls-ca FILE +the PEM file of the CA/);
  }
});
