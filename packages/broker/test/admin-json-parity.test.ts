import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runAdmin } from '../src/cli/admin/admin-command.js';
import { startHttpServer, type RunningHttpServer } from '../src/http/http-server.js';
import { BrokerMetrics } from '../src/http/metrics.js';
import { FakeAdminBackend, message, startFakeAdminServer } from './fake-admin-backend.js';
import { silentLog } from './helpers.js';

// One backend behind both surfaces: the admin gRPC API (which the CLI calls) and the console's /api/.
const backend = new FakeAdminBackend();
const { tag: _tag, producerClientId: _producer, ...bare } = message({ messageId: 'BIN', offset: 3, keys: [], properties: {}, body: Buffer.from([0xff, 0x00, 0x01]) });
backend.messages.push(
  bare,
  message({ messageId: 'CTRL', offset: 4, messageGroup: 'g1', deliverAt: 1_700_000_900_000, body: Buffer.from('bell\u0007 and \u001b[31mred') }),
  message({ messageId: 'TEXT', offset: 5, body: Buffer.from('line one\nline\ttwo — é') }),
);
const metrics = new BrokerMetrics(backend);
let grpc: Awaited<ReturnType<typeof startFakeAdminServer>>;
let http: RunningHttpServer;
before(async () => {
  grpc = await startFakeAdminServer(backend);
  http = await startHttpServer({ host: '127.0.0.1', port: 0, backend, metrics, log: silentLog });
});
after(async () => {
  await http.close();
  metrics.close();
  await grpc.close();
});

async function cli(...argv: string[]): Promise<any> {
  const out: string[] = [];
  const code = await runAdmin([...argv, '--json', '--endpoint', grpc.endpoint], { out: (l) => out.push(l), err: () => undefined });
  assert.equal(code, 0, argv.join(' '));
  return JSON.parse(out.join('\n'));
}

async function api(path: string): Promise<any> {
  const response = await fetch(`http://127.0.0.1:${http.port}${path}`);
  assert.equal(response.status, 200, path);
  return response.json();
}

test('a message: the CLI and the console answer the same JSON (same keys, same values) for text, binary and control-character bodies', async () => {
  for (const id of ['M1', 'M3', 'BIN', 'CTRL', 'TEXT']) {
    const [fromCli, fromApi] = [await cli('message', '--id', id), await api(`/api/messages?id=${id}`)];
    assert.deepEqual(Object.keys(fromCli.items[0]).sort(), Object.keys(fromApi.items[0]).sort(), `${id}: keys`);
    assert.deepEqual(fromCli, fromApi, id);
  }
  const ctrl = (await cli('message', '--id', 'CTRL')).items[0];
  assert.equal(ctrl.bodyEncoding, 'base64', 'control characters make a body binary on both');
});

test('topics, groups, dead letters and traces: the same JSON on both', async () => {
  assert.deepEqual(await cli('topics'), await api('/api/topics'));
  assert.deepEqual(await cli('topics', '--describe', 'orders'), await api('/api/topics/orders'));
  assert.deepEqual(await cli('groups'), await api('/api/groups'));
  assert.deepEqual(await cli('groups', 'billing'), await api('/api/groups/billing'));
  assert.deepEqual(await cli('dlq', 'billing'), await api('/api/dlq/billing'));
  assert.deepEqual(await cli('trace', 'M1'), await api('/api/trace/M1'));
});
