import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfigFile, resolveConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'txmq-config-security-'));
after(() => rmSync(dir, { recursive: true, force: true }));
execFileSync('openssl', [
  'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
  '-subj', '/CN=localhost', '-keyout', join(dir, 'server-key.pem'), '-out', join(dir, 'server.pem'),
], { stdio: 'ignore' });
writeFileSync(join(dir, 'app.secret'), 'file-secret\n');

test('no acl and no tls: an open plaintext broker, as before', () => {
  const config = resolveConfig({});
  assert.equal(config.acl, undefined);
  assert.equal(config.tls, undefined);
});

test('a config file\'s secretFile, certFile and keyFile are relative to the file\'s folder, and secretEnv reads the environment', async () => {
  const path = join(dir, 'broker.json');
  writeFileSync(path, JSON.stringify({
    acl: { users: [{ accessKey: 'app', secretFile: 'app.secret', topics: { orders: ['pub'] } }] },
    tls: { certFile: 'server.pem', keyFile: 'server-key.pem' },
  }));
  const config = await loadConfigFile(path);
  assert.equal(config.acl?.users.get('app')?.secret?.reveal(), 'file-secret');
  assert.equal(config.acl?.required, true);
  assert.equal(config.tls?.certFile, join(dir, 'server.pem'));
  const fromEnv = resolveConfig({ acl: { users: [{ accessKey: 'app', secretEnv: 'APP_SECRET' }] } }, { env: { APP_SECRET: 'env-secret' } });
  assert.equal(fromEnv.acl?.users.get('app')?.secret?.reveal(), 'env-secret');
  assert.throws(() => resolveConfig({ acl: { users: [{ accessKey: 'app', secretEnv: 'APP_SECRET' }] } }, { env: {} }), (e: unknown) => e instanceof ConfigError && /APP_SECRET, which is not set/.test(e.message));
  assert.throws(() => resolveConfig({ tls: { certFile: 'server.pem', keyFile: 'server-key.pem' } }, { baseDir: '/nonexistent' }), /tls.certFile cannot be read from \/nonexistent\/server.pem/);
});

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 20_000 }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }));
  });
}

test('--tls-cert needs --tls-key (exit 2), and bad files are config errors naming them', async () => {
  const alone = await cli('--memory', '--port', '0', '--tls-cert', join(dir, 'server.pem'));
  assert.equal(alone.code, 2);
  assert.match(alone.stderr, /--tls-cert and --tls-key go together: --tls-key is missing/);
  const swapped = await cli('--memory', '--port', '0', '--tls-cert', join(dir, 'server-key.pem'), '--tls-key', join(dir, 'server.pem'));
  assert.equal(swapped.code, 2);
  assert.match(swapped.stderr, /tls.certFile names .*server-key.pem, which is not a PEM certificate/);
  assert.doesNotMatch(swapped.stderr, /PRIVATE KEY-----/);
});

test('with --tls-cert and --tls-key the broker says it listens with TLS', async () => {
  const child = spawn(process.execPath, [CLI, '--memory', '--port', '0', '--log-level', 'silent', '--tls-cert', join(dir, 'server.pem'), '--tls-key', join(dir, 'server-key.pem')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('\n')) resolve();
    });
    child.once('exit', () => reject(new Error(`exited: ${stdout}`)));
  });
  child.kill('SIGTERM');
  await once(child, 'exit');
  assert.match(stdout, /^txmq broker listening on 127\.0\.0\.1:\d+ \(TLS\)\n/);
});
